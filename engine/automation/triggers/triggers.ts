/**
 * Triggers: runs that start without a person. Each trigger is a `triggerSensor` workflow
 * (`trigger-<id>`) holding its settings; kinds: a signed webhook, a new-artifact sensor, a
 * pipeline-completion trigger, and run notifications (POST a JSON summary to a URL). Input is
 * checked here, against the pipeline's inputs, before any workflow starts.
 */
import { CodedError } from '../../errors';
import { randomBytes } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import { z } from 'zod';
import { PipelineValidationError } from '../../../dsl/errors';
import { pipelineDigest, validatePipeline, type PipelineSpec } from '../../../dsl/ir/index';
import { resolveRunParams } from '../../runs/index';
import type { Json, MetadataStore } from '../../stores/metadata/index';
import { definitionQuery, triggerWorkflowId } from '../../temporal/workflows/index';
import type { TriggerDefinition } from '../../temporal/workflows/types';

/**
 * invalid: a definition or request refused; not-found: no such trigger or version; exists: the id
 * is taken; unauthenticated: a webhook without a valid signature; replay: a delivery seen before;
 * gone: the trigger's pipeline version was deleted; bad-payload: the payload makes no valid parameters.
 */
export type TriggerErrorCode = 'invalid' | 'not-found' | 'exists' | 'unauthenticated' | 'replay' | 'gone' | 'bad-payload';

export class TriggerError extends CodedError<TriggerErrorCode> {
  override readonly name = 'TriggerError';
}

const statuses = z.array(z.enum(['succeeded', 'failed', 'cancelled'])).min(1);
const base = {
  id: z.string().regex(/^[A-Za-z][A-Za-z0-9_.-]{0,99}$/, 'letters, digits, "_", "-", "." (max 100), starting with a letter'),
  pollMs: z.number().int().min(200).max(3_600_000).optional(),
};
const target = {
  pipelineVersionId: z.string().optional(),
  spec: z.unknown().optional(),
  params: z.record(z.string(), z.json()).default({}),
};
/** One schema for the CLI and the API. */
export const triggerInputSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('webhook'), ...base, ...target, mapping: z.record(z.string(), z.string().min(1)).default({}), secret: z.string().min(16).optional() }),
  z.strictObject({
    kind: z.literal('artifact'),
    ...base,
    ...target,
    input: z.string(),
    match: z.strictObject({ type: z.string(), name: z.string().optional(), properties: z.record(z.string(), z.json()).optional() }),
  }),
  z.strictObject({
    kind: z.literal('completion'),
    ...base,
    ...target,
    after: z.strictObject({ pipeline: z.string(), statuses: statuses.default(['succeeded']) }),
    mapping: z.record(z.string(), z.string()).default({}),
  }),
  z.strictObject({
    kind: z.literal('notification'),
    ...base,
    after: z.strictObject({ pipeline: z.string().optional(), statuses: statuses.default(['failed']) }),
    url: z.url({ protocol: /^https?$/ }),
  }),
]);
export type TriggerInput = z.input<typeof triggerInputSchema>;

export interface TriggerDeps {
  client: Client;
  metadata: MetadataStore;
  taskQueuePrefix: string;
}

/** What the API and CLI show: the definition without the webhook secret. */
type WithoutSecret<D> = D extends unknown ? Omit<D, 'secret'> : never;
export type TriggerView = WithoutSecret<TriggerDefinition>;

export function redact(def: TriggerDefinition): TriggerView {
  if (def.kind !== 'webhook') return def;
  const { secret, ...rest } = def;
  void secret;
  return rest;
}

export async function createTrigger(deps: TriggerDeps, raw: TriggerInput): Promise<{ definition: TriggerView; secret?: string }> {
  const parsed = triggerInputSchema.safeParse(raw);
  if (!parsed.success) throw new TriggerError('invalid', parsed.error.issues.map((i) => `${i.path.join('.') || 'trigger'}: ${i.message}`).join('; '));
  const t = parsed.data;
  const common = { id: t.id, taskQueuePrefix: deps.taskQueuePrefix, since: new Date().toISOString(), ...(t.pollMs !== undefined ? { pollMs: t.pollMs } : {}) };
  let def: TriggerDefinition;
  if (t.kind === 'notification') {
    def = { ...common, kind: 'notification', after: t.after, url: t.url };
  } else {
    const { versionId, spec } = await pipelineVersion(deps.metadata, t.pipelineVersionId, t.spec);
    // The fixed parameters are checked against the inputs the trigger does not fill in itself.
    const rest = { ...spec.inputs };
    const fillers = t.kind === 'artifact' ? [t.input] : Object.keys(t.mapping);
    for (const name of fillers) {
      const port = spec.inputs[name];
      if (!port) throw new TriggerError('invalid', `pipeline "${spec.name}" has no input "${name}"; its inputs: ${Object.keys(spec.inputs).join(', ') || '(none)'}`);
      if (t.kind === 'artifact' && (port.kind !== 'artifact' || (port.type !== 'Artifact' && port.type !== t.match.type))) {
        throw new TriggerError('invalid', `input "${name}" of pipeline "${spec.name}" is ${port.kind === 'artifact' ? `a ${port.type}` : `a ${port.type} parameter`}, not a ${t.match.type} artifact`);
      }
      // A fixed value for a filled input is the fallback when an event lacks it: check it too.
      if (!(name in t.params)) delete rest[name];
    }
    try {
      resolveRunParams({ ...spec, inputs: rest }, t.params);
    } catch (e) {
      throw new TriggerError('invalid', (e as Error).message);
    }
    const target = { pipelineVersionId: versionId, params: t.params as Record<string, Json> };
    if (t.kind === 'webhook') def = { ...common, ...target, kind: 'webhook', mapping: t.mapping, secret: t.secret ?? randomBytes(32).toString('hex') };
    else if (t.kind === 'artifact') {
      const match: Extract<TriggerDefinition, { kind: 'artifact' }>['match'] = { type: t.match.type };
      if (t.match.name !== undefined) match.name = t.match.name;
      if (t.match.properties !== undefined) match.properties = t.match.properties;
      def = { ...common, ...target, kind: 'artifact', input: t.input, match };
    }
    else def = { ...common, ...target, kind: 'completion', after: t.after, mapping: t.mapping };
  }
  try {
    await deps.client.workflow.start('triggerSensor', { workflowId: triggerWorkflowId(def.id), taskQueue: deps.taskQueuePrefix, args: [def] });
  } catch (e) {
    if (e instanceof WorkflowExecutionAlreadyStartedError) throw new TriggerError('exists', `a trigger "${def.id}" exists already; delete it first or pick another id`);
    throw e;
  }
  return { definition: redact(def), ...(def.kind === 'webhook' ? { secret: def.secret } : {}) };
}

async function pipelineVersion(metadata: MetadataStore, versionId: string | undefined, spec: unknown): Promise<{ versionId: string; spec: PipelineSpec }> {
  if ((versionId === undefined) === (spec === undefined)) throw new TriggerError('invalid', 'give a pipeline version id or an IR spec (one of them)');
  if (spec !== undefined) {
    const checked = validatePipeline(spec);
    if (!checked.ok) throw new PipelineValidationError(checked.issues);
    const v = await metadata.registerPipelineVersion(checked.spec, pipelineDigest(checked.spec));
    return { versionId: v.id, spec: checked.spec };
  }
  const v = await metadata.getPipelineVersion(versionId ?? '');
  if (!v) throw new TriggerError('not-found', `no pipeline version "${versionId ?? ''}"`);
  if (v.draft) throw new TriggerError('invalid', `pipeline "${v.pipelineName}" version ${v.id} is a draft (its IR has validation problems) and cannot run; fix and save it first`);
  return { versionId: v.id, spec: v.spec };
}

/** The full definition (secret included): for the webhook endpoint only. */
export async function getTriggerDefinition(client: Client, id: string): Promise<TriggerDefinition> {
  try {
    const handle = client.workflow.getHandle(triggerWorkflowId(id));
    const d = await handle.describe();
    if (d.status.name !== 'RUNNING') throw new TriggerError('not-found', `no trigger "${id}"`);
    return await handle.query(definitionQuery);
  } catch (e) {
    if (e instanceof WorkflowNotFoundError) throw new TriggerError('not-found', `no trigger "${id}"`);
    throw e;
  }
}

export async function listTriggers(client: Client): Promise<TriggerView[]> {
  const out: TriggerView[] = [];
  for await (const w of client.workflow.list({ query: `WorkflowType = 'triggerSensor' AND ExecutionStatus = 'Running'` })) {
    out.push(redact(await client.workflow.getHandle(w.workflowId).query(definitionQuery)));
  }
  return out.sort((a, b) => a.id.localeCompare(b.id));
}

export async function deleteTrigger(client: Client, id: string): Promise<void> {
  await getTriggerDefinition(client, id);
  await client.workflow.getHandle(triggerWorkflowId(id)).terminate('trigger deleted');
}
