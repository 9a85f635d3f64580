/**
 * Schedules: Temporal Schedules whose action starts `scheduledRun` for one pipeline version.
 * Everything a schedule does (cron or intervals, time zone, start/end, jitter, overlap policy,
 * catch-up window, pause with a note, trigger now, backfill) is Temporal's; this module checks
 * the input first (a bad cron or bad parameters never create a schedule) and translates.
 */
import { CodedError } from '../../errors';
import { ScheduleNotFoundError, ScheduleOverlapPolicy, type Client, type ScheduleDescription, type ScheduleSpec } from '@temporalio/client';
import { z } from 'zod';
import { pipelineDigest, validatePipeline } from '../../../dsl/ir/index';
import { PipelineValidationError } from '../../../dsl/errors';
import { resolveRunParams } from '../../runs/index';
import type { MetadataStore } from '../../stores/metadata/index';
import type { Json, ScheduledRunInput } from '../../temporal/workflows/types';
import { OVERLAP_POLICIES, type OverlapPolicy } from '../../contract/index';

/** not-found: no such schedule or pipeline version; invalid: the definition is refused. */
export type ScheduleErrorCode = 'not-found' | 'invalid';

export class ScheduleError extends CodedError<ScheduleErrorCode> {
  override readonly name = 'ScheduleError';
}

// The policies are part of the API contract (what clients may send); this module translates them.
export { OVERLAP_POLICIES, type OverlapPolicy };
const TO_TEMPORAL: Record<OverlapPolicy, ScheduleOverlapPolicy> = {
  skip: ScheduleOverlapPolicy.SKIP,
  'buffer-one': ScheduleOverlapPolicy.BUFFER_ONE,
  'buffer-all': ScheduleOverlapPolicy.BUFFER_ALL,
  'cancel-other': ScheduleOverlapPolicy.CANCEL_OTHER,
  'allow-all': ScheduleOverlapPolicy.ALLOW_ALL,
};

const duration = z.string().regex(/^\d+(ms|s|m|h|d)$/, 'a duration such as "30s", "15m", "1h", "1d"');
/** One schema for the CLI and the API. */
export const scheduleInputSchema = z
  .strictObject({
    id: z.string().regex(/^[A-Za-z][A-Za-z0-9_.-]{0,99}$/, 'letters, digits, "_", "-", "." (max 100), starting with a letter').optional(),
    pipelineVersionId: z.string().optional(),
    spec: z.unknown().optional(),
    params: z.record(z.string(), z.unknown()).default({}),
    cron: z.array(z.string().min(1)).default([]),
    every: z.array(duration).default([]),
    timezone: z.string().optional(),
    startAt: z.coerce.date().optional(),
    endAt: z.coerce.date().optional(),
    jitter: duration.optional(),
    overlap: z.enum(OVERLAP_POLICIES).default('skip'),
    catchupWindow: duration.optional(),
    pauseOnFailure: z.boolean().default(false),
    paused: z.boolean().default(false),
    note: z.string().max(500).optional(),
  })
  .refine((s) => s.cron.length + s.every.length > 0, { message: 'give at least one cron expression or interval', path: ['cron'] })
  .refine((s) => (s.pipelineVersionId === undefined) !== (s.spec === undefined), { message: 'give a pipeline version id or an IR spec, not both', path: ['pipelineVersionId'] })
  .refine((s) => !s.startAt || !s.endAt || s.startAt < s.endAt, { message: 'startAt must be before endAt', path: ['endAt'] });
export type ScheduleInput = z.input<typeof scheduleInputSchema>;

export interface ScheduleDeps {
  client: Client;
  taskQueuePrefix: string;
  /** Needed to create schedules (the pipeline version is recorded there); other calls only use Temporal. */
  metadata?: MetadataStore;
}

export interface ScheduleSummary {
  id: string;
  pipeline: string;
  pipelineVersionId: string;
  cron: string[];
  every: string[];
  timezone?: string;
  overlap: string;
  paused: boolean;
  note?: string;
  nextRuns: string[];
  recentRuns: { nominalTime: string; workflowId: string }[];
}

export async function createSchedule(deps: ScheduleDeps & { metadata: MetadataStore }, raw: ScheduleInput): Promise<ScheduleSummary> {
  const parsed = scheduleInputSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ScheduleError('invalid', parsed.error.issues.map((i) => `${i.path.join('.') || 'schedule'}: ${i.message}`).join('; '));
  }
  const s = parsed.data;
  let versionId = s.pipelineVersionId;
  let pipelineName: string;
  if (s.spec !== undefined) {
    const checked = validatePipeline(s.spec);
    if (!checked.ok) throw new PipelineValidationError(checked.issues);
    const version = await deps.metadata.registerPipelineVersion(checked.spec, pipelineDigest(checked.spec));
    versionId = version.id;
    pipelineName = checked.spec.name;
    resolveRunParams(checked.spec, s.params);
  } else {
    const version = await deps.metadata.getPipelineVersion(versionId ?? '');
    if (!version) throw new ScheduleError('not-found', `no pipeline version "${versionId ?? ''}"`);
    if (version.draft) throw new ScheduleError('invalid', `pipeline "${version.pipelineName}" version ${version.id} is a draft (its IR has validation problems) and cannot run; fix and save it first`);
    pipelineName = version.pipelineName;
    // Bad parameters are refused now, not at the first firing.
    resolveRunParams(version.spec, s.params);
  }
  const id = s.id ?? `${pipelineName}-${Date.now().toString(36)}`;
  const spec: ScheduleSpec = {
    cronExpressions: s.cron,
    intervals: s.every.map((every) => ({ every: every as `${number}${'ms' | 's' | 'm' | 'h' | 'd'}` })),
    ...(s.timezone ? { timezone: s.timezone } : {}),
    ...(s.startAt ? { startAt: s.startAt } : {}),
    ...(s.endAt ? { endAt: s.endAt } : {}),
    ...(s.jitter ? { jitter: s.jitter as `${number}s` } : {}),
  };
  const args: ScheduledRunInput = { scheduleId: id, pipelineVersionId: versionId ?? '', params: s.params as Record<string, Json>, taskQueuePrefix: deps.taskQueuePrefix };
  try {
    await deps.client.schedule.create({
      scheduleId: id,
      spec,
      action: { type: 'startWorkflow', workflowType: 'scheduledRun', taskQueue: deps.taskQueuePrefix, workflowId: `sched-${id}`, args: [args] },
      policies: {
        overlap: TO_TEMPORAL[s.overlap],
        pauseOnFailure: s.pauseOnFailure,
        ...(s.catchupWindow ? { catchupWindow: s.catchupWindow as `${number}s` } : {}),
      },
      state: { paused: s.paused, ...(s.note ? { note: s.note } : {}) },
      memo: { pipeline: pipelineName, cron: s.cron, every: s.every },
    });
  } catch (e) {
    // The server checks cron syntax and time zones: pass its words on.
    throw new ScheduleError('invalid', `could not create schedule "${id}": ${(e as Error).message}`);
  }
  return describeSchedule(deps, id);
}

function handle(deps: ScheduleDeps, id: string) {
  return deps.client.schedule.getHandle(id);
}

async function guard<T>(id: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof ScheduleNotFoundError) throw new ScheduleError('not-found', `no schedule "${id}" (list them with: sluice schedules list)`);
    throw e;
  }
}

function summary(id: string, d: ScheduleDescription): ScheduleSummary {
  const action = d.action.type === 'startWorkflow' ? d.action : undefined;
  const input = action?.args?.[0] as ScheduledRunInput | undefined;
  const memo = (d.memo ?? {}) as { pipeline?: string; cron?: string[]; every?: string[] };
  return {
    id,
    pipeline: memo.pipeline ?? '',
    pipelineVersionId: input?.pipelineVersionId ?? '',
    // As written (the server keeps cron expressions only in its structured form).
    cron: memo.cron ?? [],
    every: memo.every ?? [],
    ...(d.spec.timezone ? { timezone: d.spec.timezone } : {}),
    overlap: String(d.policies.overlap),
    paused: d.state.paused,
    ...(d.state.note ? { note: d.state.note } : {}),
    nextRuns: d.info.nextActionTimes.slice(0, 5).map((t) => t.toISOString()),
    recentRuns: d.info.recentActions.map((a) => ({
      nominalTime: a.scheduledAt.toISOString(),
      workflowId: a.action.type === 'startWorkflow' ? a.action.workflow.workflowId : '',
    })),
  };
}

export async function describeSchedule(deps: ScheduleDeps, id: string): Promise<ScheduleSummary> {
  return guard(id, async () => summary(id, await handle(deps, id).describe()));
}

export async function listSchedules(deps: ScheduleDeps): Promise<ScheduleSummary[]> {
  const out: ScheduleSummary[] = [];
  for await (const s of deps.client.schedule.list()) out.push(await describeSchedule(deps, s.scheduleId));
  return out;
}

export async function pauseSchedule(deps: ScheduleDeps, id: string, note?: string): Promise<ScheduleSummary> {
  await guard(id, () => handle(deps, id).pause(note ?? 'paused'));
  return describeSchedule(deps, id);
}

export async function resumeSchedule(deps: ScheduleDeps, id: string, note?: string): Promise<ScheduleSummary> {
  await guard(id, () => handle(deps, id).unpause(note ?? 'resumed'));
  return describeSchedule(deps, id);
}

/** Runs the schedule's action now (overlap policy: the schedule's, or the one given). */
export async function triggerSchedule(deps: ScheduleDeps, id: string, overlap?: OverlapPolicy): Promise<void> {
  await guard(id, () => handle(deps, id).trigger(overlap ? TO_TEMPORAL[overlap] : undefined));
}

/** Runs what the schedule would have run between `from` and `to` (nominal times in that range). */
export async function backfillSchedule(deps: ScheduleDeps, id: string, from: Date, to: Date, overlap: OverlapPolicy = 'allow-all'): Promise<void> {
  if (!(from < to)) throw new ScheduleError('invalid', `backfill: --from (${from.toISOString()}) must be before --to (${to.toISOString()})`);
  await guard(id, () => handle(deps, id).backfill({ start: from, end: to, overlap: TO_TEMPORAL[overlap] }));
}

export async function deleteSchedule(deps: ScheduleDeps, id: string): Promise<void> {
  await guard(id, () => handle(deps, id).delete());
}
