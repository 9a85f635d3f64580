/** What every endpoint module gets: the stores, the Temporal client, settings and shared helpers. */
import type { Client } from '@temporalio/client';
import { queryRunStatus } from '../runs/index';
import type { ArtifactStore } from '../stores/artifacts/index';
import type { Logger } from '../logging';
import type { MetadataStore, RunRecord } from '../stores/metadata/index';
import { workflowIdFor, type RunStatusView } from '../temporal/workflows/types';
import { notFound } from './problem';
import type { ApiMetrics } from './prometheus';
import type { EventStreams, LiveSettings } from './sse';
import type { ComponentRegistry } from '../temporal/activities/index';
import { annotateWaitingTasks } from '../temporal/worker/index';

export interface ApiContext {
  metadata: MetadataStore;
  artifacts: ArtifactStore;
  client: Client;
  registry: ComponentRegistry;
  taskQueuePrefix: string;
  logger: Logger;
  metrics: ApiMetrics;
  live: LiveSettings;
  streams: EventStreams;
  /** Check every reply and event against the contract (tests: SLUICE_API_CHECK_RESPONSES=1). */
  checkResponses: boolean;
  /** The Temporal Web UI's base URL when one is served; undefined otherwise. */
  temporalUiUrl: string | undefined;
}

export const FINAL_RUN_STATUSES: readonly RunRecord['status'][] = ['succeeded', 'failed', 'cancelled'];
export const isFinal = (run: RunRecord): boolean => FINAL_RUN_STATUSES.includes(run.status);

/** The run, or a 404 problem naming it. */
export async function requireRun(ctx: ApiContext, runId: string): Promise<RunRecord> {
  const run = await ctx.metadata.getRun(runId);
  if (!run) throw notFound(`no run with id "${runId}" (GET /api/runs lists them)`, '/params/runId');
  return run;
}

/** How long a status query may take: no worker polling the run's queue must not hang a request. */
const LIVE_QUERY_MS = 3000;

/**
 * The workflow's own view of a running run (its status query), or undefined when it does not
 * answer; tasks whose queue no worker serves are marked waiting, with the reason.
 */
export async function liveStatus(ctx: ApiContext, run: RunRecord): Promise<RunStatusView | undefined> {
  const handle = ctx.client.workflow.getHandle(run.workflowId || workflowIdFor(run.id));
  const status = await ctx.client.withDeadline(Date.now() + LIVE_QUERY_MS, () => queryRunStatus(handle));
  return annotateWaitingTasks(status, { client: ctx.client, executions: () => ctx.metadata.listExecutions(run.id) });
}

/**
 * Settles when the run's workflow closes (however it ends: its result is not what matters), or when
 * `signal` aborts; Temporal's long poll, not a loop of queries.
 */
export function workflowClosed(ctx: ApiContext, run: RunRecord, signal: AbortSignal): Promise<void> {
  const handle = ctx.client.workflow.getHandle(run.workflowId || workflowIdFor(run.id));
  return ctx.client.withAbortSignal(signal, () => handle.result()).then(
    () => undefined,
    () => undefined,
  );
}
