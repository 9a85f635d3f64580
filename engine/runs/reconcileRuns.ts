/**
 * The run reconciler: a run row left open (`pending`/`running`) while its workflow `run-<id>` has
 * closed in Temporal gets the workflow's real outcome. The workflow writes its final status itself
 * (non-cancellable bookkeeping, since issue 11); this repairs what it could not: runs recorded by
 * older workflow code, a terminated or timed-out workflow, a final write that failed for good.
 *
 * Temporal is the source of truth: a row is changed only when Temporal says the workflow is closed,
 * and the store never reopens or rewrites a final row, so a reconciler racing the workflow (or
 * another process's reconciler) cannot clobber a status the workflow wrote. A row whose workflow
 * Temporal does not know is left alone (a submit between its row and its workflow start, or a
 * different Temporal server): counted as `missing`, never guessed at.
 */
import {
  ApplicationFailure,
  CancelledFailure,
  TerminatedFailure,
  TimeoutFailure,
  WorkflowFailedError,
  WorkflowNotFoundError,
  type Client,
  type WorkflowExecutionStatusName,
} from '@temporalio/client';
import type { Logger } from '../logging';
import { MLFLOW_TRIGGER_KIND, type Json, type MetadataStore, type RunRecord, type RunStatus } from '../stores/metadata/index';
import { workflowIdFor } from '../temporal/workflows/types';

export const DEFAULT_RECONCILE_INTERVAL_MS = 60_000;
export const RECONCILE_INTERVAL_ENV = 'SLUICE_RECONCILE_INTERVAL_MS';

export interface ReconcileDeps {
  /** A Temporal client (only its workflow client is used). */
  client: Pick<Client, 'workflow'>;
  metadata: MetadataStore;
  logger?: Logger;
}

/** The statuses of a workflow that has closed for good (pipelineRun never continues as new). */
export type ClosedWorkflowStatus = Extract<WorkflowExecutionStatusName, 'COMPLETED' | 'FAILED' | 'CANCELLED' | 'TERMINATED' | 'TIMED_OUT'>;
const CLOSED: readonly WorkflowExecutionStatusName[] = ['COMPLETED', 'FAILED', 'CANCELLED', 'TERMINATED', 'TIMED_OUT'] satisfies ClosedWorkflowStatus[];
const isClosed = (s: WorkflowExecutionStatusName): s is ClosedWorkflowStatus => CLOSED.includes(s);

/** What a closed workflow means for its run row. */
export interface WorkflowOutcome {
  workflowStatus: ClosedWorkflowStatus;
  status: Extract<RunStatus, 'succeeded' | 'failed' | 'cancelled'>;
  error: string | null;
  failedTask: string | null;
  outputs: Record<string, Json> | null;
}

export type RunCheck =
  /** The workflow is still open (or continued as new): nothing to do. */
  | { kind: 'open'; run: RunRecord }
  /** The workflow is closed; `run` is the row afterwards (final). */
  | { kind: 'closed'; run: RunRecord; outcome: WorkflowOutcome; repaired: boolean }
  /** Temporal has no workflow `run-<id>`. */
  | { kind: 'missing'; run: RunRecord };

const OPEN_RUN_STATUSES: RunStatus[] = ['pending', 'running'];
const isOpen = (run: RunRecord): boolean => OPEN_RUN_STATUSES.includes(run.status);

/**
 * Looks up one run's workflow and, when it has closed while the row is open, writes its outcome.
 * A final row is returned as it is, without asking Temporal.
 */
export async function reconcileRun(deps: ReconcileDeps, run: RunRecord): Promise<RunCheck> {
  if (!isOpen(run)) return { kind: 'open', run };
  const handle = deps.client.workflow.getHandle(run.workflowId || workflowIdFor(run.id));
  let workflowStatus: WorkflowExecutionStatusName;
  try {
    workflowStatus = (await handle.describe()).status.name;
  } catch (e) {
    if (e instanceof WorkflowNotFoundError) return { kind: 'missing', run };
    throw e;
  }
  if (!isClosed(workflowStatus)) return { kind: 'open', run };
  const outcome = await closedOutcome(workflowStatus, () => handle.result() as Promise<unknown>);
  // Read again: the workflow's own final write lands before it closes, possibly after our first
  // read. Once it is closed nothing of it writes any more (the store also never rewrites a final row).
  const now = (await deps.metadata.getRun(run.id)) ?? run;
  if (!isOpen(now)) return { kind: 'closed', run: now, outcome, repaired: false };
  await deps.metadata.updateRun(run.id, { status: outcome.status, error: outcome.error, failedTask: outcome.failedTask, outputs: outcome.outputs });
  deps.logger?.warn({ runId: run.id, was: now.status, workflowStatus, status: outcome.status }, `run ${run.id} was ${now.status} but its workflow had ended ${workflowStatus}: recorded ${outcome.status}`);
  return { kind: 'closed', run: (await deps.metadata.getRun(run.id)) ?? now, outcome, repaired: true };
}

/** The run status, error, failed task and outputs that a closed workflow stands for. */
export async function closedOutcome(workflowStatus: ClosedWorkflowStatus, result: () => Promise<unknown>): Promise<WorkflowOutcome> {
  const none = { error: null, failedTask: null, outputs: null };
  if (workflowStatus === 'COMPLETED') {
    const value = await result();
    const outputs = value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, Json>) : {};
    return { workflowStatus, status: 'succeeded', ...none, outputs };
  }
  // The failure Temporal recorded: its message, and for a failed task the task (in the details).
  let cause: Error | undefined;
  try {
    await result();
  } catch (e) {
    if (!(e instanceof WorkflowFailedError)) throw e;
    cause = e.cause;
  }
  switch (workflowStatus) {
    case 'CANCELLED':
      return { workflowStatus, status: 'cancelled', ...none, error: cause instanceof CancelledFailure ? 'cancelled' : (cause?.message ?? 'cancelled') };
    case 'TERMINATED': {
      // A person (or Temporal, e.g. at the history size limit) stopped it: no exit handler ran.
      const reason = cause instanceof TerminatedFailure && cause.message ? `: ${cause.message}` : '';
      return { workflowStatus, status: 'cancelled', ...none, error: `its workflow was terminated${reason}; exit handlers did not run` };
    }
    case 'TIMED_OUT': {
      const which = cause instanceof TimeoutFailure ? ` (${cause.timeoutType})` : '';
      return { workflowStatus, status: 'failed', ...none, error: `its workflow timed out${which}` };
    }
    case 'FAILED': {
      // The workflow's own failure (TaskFailed names the task) or anything else it died of.
      const failure = cause instanceof ApplicationFailure ? cause : undefined;
      const details = failure?.type === 'TaskFailed' ? (failure.details?.[0] as { task?: unknown } | undefined) : undefined;
      const failedTask = typeof details?.task === 'string' ? details.task : null;
      return { workflowStatus, status: 'failed', ...none, failedTask, error: cause?.message ? cause.message : `its workflow ended ${workflowStatus}` };
    }
  }
}

export interface ReconcileSummary {
  /** Open rows looked at. */
  checked: number;
  /** Rows this pass finalised, with the workflow status they follow. */
  repaired: { runId: string; workflowStatus: ClosedWorkflowStatus; status: RunStatus }[];
  /** Open rows whose workflow Temporal does not know (left alone). */
  missing: string[];
  /** Runs that could not be checked this time (Temporal or the store did not answer); the next pass tries again. */
  errors: { runId: string; error: string }[];
}

/** One pass over every open run. */
export async function reconcileRuns(deps: ReconcileDeps): Promise<ReconcileSummary> {
  const summary: ReconcileSummary = { checked: 0, repaired: [], missing: [], errors: [] };
  const open: RunRecord[] = [];
  for (const status of OPEN_RUN_STATUSES) open.push(...(await deps.metadata.listRuns({ status })));
  for (const run of open) {
    // Runs logged through the MLflow API have no workflow: their client sets their status.
    if (run.trigger.kind === MLFLOW_TRIGGER_KIND) continue;
    summary.checked++;
    try {
      const check = await reconcileRun(deps, run);
      if (check.kind === 'missing') summary.missing.push(run.id);
      if (check.kind === 'closed' && check.repaired) summary.repaired.push({ runId: run.id, workflowStatus: check.outcome.workflowStatus, status: check.run.status });
    } catch (e) {
      summary.errors.push({ runId: run.id, error: (e as Error).message });
    }
  }
  if (summary.errors.length) {
    deps.logger?.warn({ errors: summary.errors }, `run reconciler: ${summary.errors.length} run(s) could not be checked; the next pass tries again`);
  }
  return summary;
}

export interface RunReconciler {
  /**
   * A pass now (after the one in progress, if any: passes never overlap); resolves with its
   * summary. Callers asking at the same time share one pass.
   */
  runNow(): Promise<ReconcileSummary>;
  /** No more passes; waits for the one in progress. */
  stop(): Promise<void>;
}

/**
 * Reconciles at once (start-up), then every `intervalMs` (0: start-up only). Passes never run
 * concurrently in this process; several processes may each run one (their writes are idempotent).
 */
export function startRunReconciler(deps: ReconcileDeps & { intervalMs: number }): RunReconciler {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let current: Promise<ReconcileSummary> | undefined;
  let next: Promise<ReconcileSummary> | undefined;

  const pass = async (): Promise<ReconcileSummary> => {
    try {
      return await reconcileRuns(deps);
    } catch (e) {
      // The store did not answer the list: logged, and the next pass tries again.
      deps.logger?.warn({ err: e }, 'run reconciler: the pass failed');
      return { checked: 0, repaired: [], missing: [], errors: [{ runId: '*', error: (e as Error).message }] };
    }
  };
  const schedule = (): void => {
    if (stopped || deps.intervalMs <= 0) return;
    timer = setTimeout(() => void runNow(), deps.intervalMs);
    timer.unref(); // never what keeps a process alive
  };
  const runNow = (): Promise<ReconcileSummary> => {
    if (next) return next;
    const start = (): Promise<ReconcileSummary> => {
      clearTimeout(timer);
      next = undefined;
      current = pass().finally(() => {
        current = undefined;
        schedule();
      });
      return current;
    };
    if (!current) return start();
    next = current.then(start, start);
    return next;
  };

  void runNow();
  return {
    runNow,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await next?.catch(() => undefined);
      await current?.catch(() => undefined);
    },
  };
}

/** The interval from SLUICE_RECONCILE_INTERVAL_MS (ms; 0 = start-up pass only), default one minute. */
export function reconcileIntervalFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env[RECONCILE_INTERVAL_ENV]?.trim();
  if (!raw) return DEFAULT_RECONCILE_INTERVAL_MS;
  const ms = Number(raw);
  if (!Number.isInteger(ms) || ms < 0) {
    throw new ReconcileSettingError(`${RECONCILE_INTERVAL_ENV} must be a whole number of milliseconds ≥ 0 (0: reconcile at start-up only), got "${raw}"`);
  }
  return ms;
}

/** A reconciler setting is wrong: the message says which and what it takes. */
export class ReconcileSettingError extends Error {
  override readonly name = 'ReconcileSettingError';
  readonly code = 'invalid-setting';
  readonly retryable = false;
}
