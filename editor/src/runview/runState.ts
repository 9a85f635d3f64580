/**
 * The run view's state as a pure reduction of what the API says: the first GET /api/runs/:id, then
 * the events of /api/runs/:id/events (`run`, `task`, `execution`, `log`, `end`) in any order and any
 * number of times (a reconnecting stream replays everything). React only renders it.
 *
 * Two sources describe a task: the workflow's status query (`task` events, top-level tasks, live
 * only) and execution rows (`execution` events, every task path, also after the end). A final
 * execution row wins; otherwise the live status does; a task with neither is queued while the run
 * goes on and "not run" once it has ended.
 */
import type { Execution, LogLine, Run, RunDetail, TaskStatus } from './apiTypes';

/** What the run graph shows per task (`data-state` of `run-node-<taskId>`). */
export type DisplayState =
  | 'queued'
  | 'running'
  | 'succeeded'
  | 'failed'
  | 'cached'
  | 'skipped'
  | 'cancelled'
  | 'waiting-approval'
  | 'waiting-gpu'
  | 'not-run';

export const STATE_LABEL: Record<DisplayState, string> = {
  queued: 'queued',
  running: 'running',
  succeeded: 'succeeded',
  failed: 'failed',
  cached: 'cached',
  skipped: 'skipped',
  cancelled: 'cancelled',
  'waiting-approval': 'waiting for approval',
  'waiting-gpu': 'waiting for a GPU worker',
  'not-run': 'did not run',
};

export interface TaskView {
  taskId: string;
  state: DisplayState;
  /** Attempts so far (1 = no retry). */
  attempt: number;
  /** ms since epoch. */
  startedAt?: number;
  finishedAt?: number;
  error?: string;
  executionId?: string;
  cachedFrom?: string;
  items?: TaskStatus['items'];
  approval?: TaskStatus['approval'];
}

export interface RunViewState {
  run: Run | null;
  /** Live status per top-level task id (from `task` events / the detail's `live`). */
  live: Record<string, TaskStatus>;
  /** Execution rows by task path. */
  executions: Record<string, Execution>;
  /** Log lines per task path, oldest first, deduplicated. */
  logs: Record<string, LogLine[]>;
  ended: boolean;
}

export type RunEvent =
  | { type: 'detail'; detail: RunDetail }
  | { type: 'run'; run: Run }
  | { type: 'task'; task: string; status: TaskStatus }
  | { type: 'execution'; execution: Execution }
  | { type: 'log'; line: LogLine }
  | { type: 'logs'; lines: LogLine[] }
  | { type: 'end'; run: Run };

/** Lines kept per task: a long training log must not grow the page without bound. */
export const LOG_LIMIT = 5000;

export const emptyRunView = (): RunViewState => ({ run: null, live: {}, executions: {}, logs: {}, ended: false });

const FINAL_RUN: readonly string[] = ['succeeded', 'failed', 'cancelled'];
export const isFinalRun = (run: Run | null): boolean => run !== null && FINAL_RUN.includes(run.status);

const logKey = (l: LogLine): string => `${l.executionId}|${l.attempt}|${l.seq}`;

function addLogs(logs: Record<string, LogLine[]>, lines: LogLine[]): Record<string, LogLine[]> {
  if (lines.length === 0) return logs;
  const next = { ...logs };
  const byTask = new Map<string, LogLine[]>();
  for (const l of lines) byTask.set(l.taskId, [...(byTask.get(l.taskId) ?? []), l]);
  for (const [task, added] of byTask) {
    const current = next[task] ?? [];
    const seen = new Set(current.map(logKey));
    const fresh = added.filter((l) => !seen.has(logKey(l)));
    if (fresh.length === 0) continue;
    // Lines normally arrive in order; a page fetched after a few streamed lines does not.
    const last = current[current.length - 1];
    const inOrder = !last || fresh.every((l) => compareLines(last, l) < 0);
    let merged = [...current, ...fresh];
    if (!inOrder) merged.sort(compareLines);
    if (merged.length > LOG_LIMIT) merged = merged.slice(merged.length - LOG_LIMIT);
    next[task] = merged;
  }
  return next;
}

function compareLines(a: LogLine, b: LogLine): number {
  return a.attempt - b.attempt || a.seq - b.seq || (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : 0);
}

/** A newer record of the same run replaces an older one; stale replays never move a run backwards. */
function newerRun(current: Run | null, incoming: Run): Run {
  if (!current || current.id !== incoming.id) return incoming;
  if (isFinalRun(current) && !isFinalRun(incoming)) return current;
  return incoming;
}

export function reduceRun(state: RunViewState, event: RunEvent): RunViewState {
  switch (event.type) {
    case 'detail': {
      const executions = { ...state.executions };
      for (const e of event.detail.executions) executions[e.taskId] = e;
      return {
        ...state,
        run: newerRun(state.run, event.detail.run),
        live: event.detail.live ? { ...event.detail.live.tasks, ...state.live } : state.live,
        executions,
        ended: state.ended || isFinalRun(event.detail.run),
      };
    }
    case 'run':
      return { ...state, run: newerRun(state.run, event.run), ended: state.ended || isFinalRun(event.run) };
    case 'task':
      return { ...state, live: { ...state.live, [event.task]: event.status } };
    case 'execution':
      return { ...state, executions: { ...state.executions, [event.execution.taskId]: event.execution } };
    case 'log':
      return { ...state, logs: addLogs(state.logs, [event.line]) };
    case 'logs':
      return { ...state, logs: addLogs(state.logs, event.lines) };
    case 'end':
      return { ...state, run: event.run, ended: true };
  }
}

const time = (iso: string | null | undefined): number | undefined => {
  if (!iso) return undefined;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? undefined : t;
};

const FINAL_EXECUTION: readonly string[] = ['succeeded', 'failed', 'cached', 'skipped', 'cancelled'];

function fromExecution(status: Execution['status']): DisplayState {
  switch (status) {
    case 'running':
      return 'running';
    case 'waiting':
      return 'waiting-approval';
    case 'succeeded':
    case 'failed':
    case 'cached':
    case 'skipped':
    case 'cancelled':
      return status;
  }
}

/** The live state's words → ours; unknown words (a newer engine) read as running. */
function fromLive(status: TaskStatus): DisplayState {
  const waitingGpu = (status.waitingFor ?? '').toLowerCase().includes('gpu') || (status.state === 'pending' && (status.queue ?? '').toLowerCase().includes('gpu') && status.waitingFor !== undefined);
  if (waitingGpu || status.state === 'waiting-gpu' || status.state === 'waiting-worker') return 'waiting-gpu';
  switch (status.state) {
    case 'pending':
      return 'queued';
    case 'waiting':
      return 'waiting-approval';
    case 'running':
    case 'succeeded':
    case 'failed':
    case 'cached':
    case 'skipped':
    case 'cancelled':
      return status.state;
    default:
      return 'running';
  }
}

/** One task path's view. */
export function taskView(state: RunViewState, taskId: string): TaskView {
  const execution = state.executions[taskId];
  const live = state.live[taskId];
  const base: TaskView = { taskId, state: 'queued', attempt: execution?.attempt ?? 0 };
  if (execution && (FINAL_EXECUTION.includes(execution.status) || !live)) {
    const started = time(execution.startedAt);
    const finished = time(execution.finishedAt);
    return {
      ...base,
      state: fromExecution(execution.status),
      ...(started !== undefined ? { startedAt: started } : {}),
      ...(finished !== undefined ? { finishedAt: finished } : {}),
      ...(execution.error ? { error: execution.error } : {}),
      executionId: execution.id,
      ...(execution.cachedFrom ? { cachedFrom: execution.cachedFrom } : {}),
      ...(live?.items ? { items: live.items } : {}),
    };
  }
  if (live) {
    const started = live.startedAt ?? time(execution?.startedAt);
    return {
      ...base,
      state: fromLive(live),
      ...(started !== undefined ? { startedAt: started } : {}),
      ...(live.finishedAt !== undefined ? { finishedAt: live.finishedAt } : {}),
      ...(live.error ? { error: live.error } : {}),
      ...(live.executionId ?? execution?.id ? { executionId: live.executionId ?? execution?.id } : {}),
      ...(live.items ? { items: live.items } : {}),
      ...(live.approval ? { approval: live.approval } : {}),
    };
  }
  return { ...base, state: state.ended || isFinalRun(state.run) ? 'not-run' : 'queued' };
}

/** Precedence when one graph node stands for many task paths (a loop body task): the most urgent shows. */
const URGENCY: DisplayState[] = ['failed', 'waiting-approval', 'waiting-gpu', 'running', 'queued', 'cancelled', 'succeeded', 'cached', 'skipped', 'not-run'];

/**
 * The view of a graph node: its own task path, or — for a task inside a loop, whose executions are
 * `loop[i]/task` — the most urgent state among its paths, with their count.
 */
export function nodeView(state: RunViewState, nodeId: string): TaskView & { paths: number } {
  const own = state.executions[nodeId] !== undefined || state.live[nodeId] !== undefined;
  if (own) return { ...taskView(state, nodeId), paths: 1 };
  const suffix = `/${nodeId}`;
  const paths = Object.keys(state.executions).filter((p) => p.endsWith(suffix) && /\[\d+\]/.test(p));
  if (paths.length === 0) return { ...taskView(state, nodeId), paths: 0 };
  const views = paths.map((p) => taskView(state, p));
  views.sort((a, b) => URGENCY.indexOf(a.state) - URGENCY.indexOf(b.state));
  const first = views[0] as TaskView;
  return { ...first, taskId: nodeId, paths: paths.length };
}

/** Task states counted, for a summary line ("3 succeeded · 1 running"). */
export function countStates(views: TaskView[]): Partial<Record<DisplayState, number>> {
  const counts: Partial<Record<DisplayState, number>> = {};
  for (const v of views) counts[v.state] = (counts[v.state] ?? 0) + 1;
  return counts;
}

/** Gates waiting for a decision. */
export function waitingGates(state: RunViewState): TaskView[] {
  const ids = new Set([...Object.keys(state.live), ...Object.keys(state.executions)]);
  return [...ids].map((id) => taskView(state, id)).filter((v) => v.state === 'waiting-approval');
}

/** "1.2 s", "3 min 04 s", "2 h 05 min". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${String(Math.floor(s % 60)).padStart(2, '0')} s`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
}

/** A task's duration so far (`now` for a running one), or undefined when it has not started. */
export function taskDuration(view: TaskView, now: number): number | undefined {
  if (view.startedAt === undefined) return undefined;
  return (view.finishedAt ?? (view.state === 'running' ? now : view.startedAt)) - view.startedAt;
}
