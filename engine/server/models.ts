/**
 * The model registry (engine/stores/metadata/registry): registered models, versions pointing at
 * Model artifacts, aliases and their audit history. Reads need the viewer role, writes the editor
 * role; the actor recorded with an alias move is the caller's token name ("local" with auth off).
 */
import type { ModelVersionDetail } from '../contract/index';
import { MetadataStoreError } from '../stores/metadata/index';
import type { MetadataStore, ModelVersionRecord, RegisteredModelRecord } from '../stores/metadata/index';
import type { ApiContext } from './context';
import { ApiProblem, conflict, notFound } from './problem';
import { implement, type ApiRoute, type Principal } from './routing';
import { controlRollout, DEFAULT_ROLLOUT_PLAN, readRollouts, RolloutError, startRollout } from '../runs/index';

/** A rollout refusal as a problem: the code says which. */
function rolloutProblem(e: unknown): unknown {
  if (!(e instanceof RolloutError)) return e;
  if (e.code === 'no-model' || e.code === 'no-rollout') return notFound(e.message, '/params/model');
  if (e.code === 'rollout-running' || e.code === 'refused') return conflict(e.message);
  return new ApiProblem('unprocessable', e.message, { errors: [{ path: '/body', message: e.message }] });
}

/** Who did it, for the registry's records. */
export function actorOf(principal: Principal): string {
  return principal.tokenId ? `${principal.name} (token ${principal.tokenId})` : principal.name;
}

export function modelRoutes(ctx: ApiContext): ApiRoute[] {
  const requireModel = async (name: string): Promise<RegisteredModelRecord> => {
    const found = await ctx.metadata.getRegisteredModel(name);
    if (!found) throw notFound(`no registered model named "${name}" (GET /api/models lists them)`, '/params/model');
    return found;
  };

  /** The store's refusals as problems naming the field they concern. */
  const asProblem = (e: unknown, fields: { notFound?: string; invalid?: string }): unknown => {
    if (!(e instanceof MetadataStoreError)) return e;
    if (e.code === 'not_found') return notFound(e.message, fields.notFound);
    if (e.code === 'conflict') return conflict(e.message);
    if (e.code === 'invalid') return new ApiProblem('unprocessable', e.message, fields.invalid ? { errors: [{ path: fields.invalid, message: e.message }] } : {});
    return e;
  };

  const detail = (v: ModelVersionRecord) => modelVersionDetail(ctx.metadata, v);

  return [
    implement('listModelRollouts', {
      handler: async ({ params }) => {
        try {
          return { body: { rollouts: await readRollouts(ctx.metadata, params.model) } };
        } catch (e) {
          throw rolloutProblem(e);
        }
      },
    }),
    implement('startModelRollout', {
      handler: async ({ params, body, principal }) => {
        const { to, mode, split, ...gates } = body;
        const plan = { ...DEFAULT_ROLLOUT_PLAN, ...Object.fromEntries(Object.entries(gates).filter(([, v]) => v !== undefined)), mode, ...(split !== undefined || mode === 'ab' ? { split: split ?? 50 } : {}) };
        try {
          const rollout = await startRollout({ client: ctx.client, metadata: ctx.metadata, taskQueuePrefix: ctx.taskQueuePrefix, model: params.model, to, plan, actor: actorOf(principal) });
          return { status: 201, body: { rollout } };
        } catch (e) {
          throw rolloutProblem(e);
        }
      },
    }),
    implement('endModelRollout', {
      handler: async ({ params, body, principal }) => {
        try {
          const rollout = await controlRollout({ client: ctx.client, metadata: ctx.metadata, model: params.model, control: { action: body.action, reason: body.reason, actor: actorOf(principal) } });
          return { status: 202, body: { rollout } };
        } catch (e) {
          throw rolloutProblem(e);
        }
      },
    }),
    implement('listModels', {
      handler: async () => ({ body: { models: await ctx.metadata.listRegisteredModels() } }),
    }),
    implement('getModel', {
      handler: async ({ params }) => {
        const model = await requireModel(params.model);
        const versions = await Promise.all((await ctx.metadata.listModelVersions(model.name)).map(detail));
        return { body: { model, versions } };
      },
    }),
    implement('updateModel', {
      handler: async ({ params, body }) => {
        await requireModel(params.model);
        try {
          return { body: { model: await ctx.metadata.updateRegisteredModel(params.model, body) } };
        } catch (e) {
          throw asProblem(e, { notFound: '/params/model' });
        }
      },
    }),
    implement('registerModelVersion', {
      handler: async ({ params, body, principal }) => {
        try {
          const { version } = await ctx.metadata.registerModelVersion({
            model: params.model,
            artifactId: body.artifactId,
            ...(body.description !== undefined ? { description: body.description } : {}),
            ...(body.tags !== undefined ? { tags: body.tags } : {}),
            createdBy: actorOf(principal),
          });
          return { status: 201, headers: { Location: `/api/models/${encodeURIComponent(params.model)}/versions/${version.version}` }, body: { version } };
        } catch (e) {
          throw asProblem(e, { notFound: '/body/artifactId', invalid: '/body/artifactId' });
        }
      },
    }),
    implement('updateModelVersion', {
      handler: async ({ params, body }) => {
        await requireModel(params.model);
        try {
          return { body: { version: await ctx.metadata.updateModelVersion(params.model, params.version, body) } };
        } catch (e) {
          throw asProblem(e, { notFound: '/params/version' });
        }
      },
    }),
    implement('moveModelAlias', {
      handler: async ({ params, body, principal }) => {
        await requireModel(params.model);
        try {
          const { moved, event } = await ctx.metadata.moveModelAlias({
            model: params.model,
            alias: params.alias,
            version: body.version,
            ...(body.expectedVersion !== undefined ? { expectedVersion: body.expectedVersion } : {}),
            actor: actorOf(principal),
            note: body.note,
          });
          return { body: { moved, event, model: await requireModel(params.model) } };
        } catch (e) {
          throw asProblem(e, { notFound: body.version === null ? '/params/alias' : '/body/version' });
        }
      },
    }),
    implement('getModelAliasHistory', {
      handler: async ({ params, query }) => {
        await requireModel(params.model);
        return { body: { events: await ctx.metadata.listModelAliasEvents(params.model, query.alias !== undefined ? { alias: query.alias } : {}) } };
      },
    }),
  ];
}

/** A version with its artifact, the execution and run that produced it, and that run's metrics (the API's and the CLI's view). */
export async function modelVersionDetail(
  metadata: Pick<MetadataStore, 'getArtifact' | 'listEvents' | 'getExecution' | 'listMetrics'>,
  v: ModelVersionRecord,
): Promise<ModelVersionDetail> {
  const artifact = (await metadata.getArtifact(v.artifactId)) ?? null;
  const output = (await metadata.listEvents({ artifactId: v.artifactId })).find((e) => e.kind === 'output');
  const execution = output ? await metadata.getExecution(output.executionId) : undefined;
  const metrics: Record<string, number> = {};
  if (execution) {
    const last = new Map<string, { step: number; value: number }>();
    for (const m of await metadata.listMetrics({ runId: execution.runId })) {
      const seen = last.get(m.key);
      if (!seen || m.step >= seen.step) last.set(m.key, { step: m.step, value: m.value });
    }
    for (const [key, { value }] of [...last].sort(([a], [b]) => a.localeCompare(b))) metrics[key] = value;
  }
  return {
    ...v,
    createdAt: v.createdAt.toISOString(),
    artifact: artifact && { ...artifact, createdAt: artifact.createdAt.toISOString() },
    producer: execution ? { runId: execution.runId, executionId: execution.id, taskId: execution.taskId } : null,
    metrics,
  };
}
