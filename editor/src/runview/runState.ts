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
import type { Execution, LogLine, Run, RunDetail, TaskStatus } from 'sluice/api';

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
  | 'waiting-worker'
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
  'waiting-worker': 'waiting for a worker',
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
  /** Why a task no worker picks up waits ("waiting for a gpu worker: none is polling …"). */
  waitingFor?: string;
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
  /** This page's cancel was accepted (202): the run reads "cancelling…" until it ends. */
  cancelRequested: boolean;
}

export type RunEvent =
  | { type: 'detail'; detail: RunDetail }
  | { type: 'run'; run: Run }
  | { type: 'task'; task: string; status: TaskStatus }
  | { type: 'execution'; execution: Execution }
  | { type: 'log'; line: LogLine }
  | { type: 'logs'; lines: LogLine[] }
  | { type: 'end'; run: Run }
  | { type: 'cancel-requested' };

/** Lines kept per task: a long training log must not grow the page without bound. */
export const LOG_LIMIT = 5000;

export const emptyRunView = (): RunViewState => ({ run: null, live: {}, executions: {}, logs: {}, ended: false, cancelRequested: false });

const FINAL_RUN: readonly string[] = ['succeeded', 'failed', 'cancelled'];
export const isFinalRun = (run: Run | null): boolean => run !== null && FINAL_RUN.includes(run.status);

const logKey = (l: LogLine): string => `${l.executionId}|${l.attempt}|${l.seq}`;

/**
 * The dedupe keys of a task's lines, built lazily and only when a line arrives out of order (a page
 * fetched after a few streamed lines, a replay). Keyed by the (immutable) array, never mutated once
 * built, so the reducer stays pure (React may call it twice).
 */
const logKeys = new WeakMap<readonly LogLine[], ReadonlySet<string>>();
function keysOf(lines: readonly LogLine[]): ReadonlySet<string> {
  let keys = logKeys.get(lines);
  if (!keys) {
    keys = new Set(lines.map(logKey));
    logKeys.set(lines, keys);
  }
  return keys;
}

function addLogs(logs: Record<string, LogLine[]>, lines: LogLine[]): Record<string, LogLine[]> {
  if (lines.length === 0) return logs;
  let next: Record<string, LogLine[]> | undefined;
  const byTask = new Map<string, LogLine[]>();
  for (const l of lines) {
    const group = byTask.get(l.taskId);
    if (group) group.push(l);
    else byTask.set(l.taskId, [l]);
  }
  for (const [task, added] of byTask) {
    const current = logs[task] ?? [];
    // Fast path, the streamed case: each line sorts after the task's last one, so it is new (a
    // replayed line is equal to one we have, never greater than the last). No key set is built.
    const fresh: LogLine[] = [];
    let last = current[current.length - 1];
    let inOrder = true;
    for (const l of added) {
      if (!last || compareLines(last, l) < 0) {
        fresh.push(l);
        last = l;
      } else {
        inOrder = false;
        break;
      }
    }
    if (!inOrder) {
      // Slow path: dedupe by key against what we have and within the batch, then sort.
      const seen = new Set(keysOf(current));
      fresh.length = 0;
      for (const l of added) {
        const k = logKey(l);
        if (seen.has(k)) continue;
        seen.add(k);
        fresh.push(l);
      }
    }
    if (fresh.length === 0) continue;
    let merged = current.concat(fresh);
    if (!inOrder) merged.sort(compareLines);
    if (merged.length > LOG_LIMIT) merged = merged.slice(merged.length - LOG_LIMIT);
    next ??= { ...logs };
    next[task] = merged;
  }
  return next ?? logs;
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

/** When a task status last changed, as far as it says (undefined when it carries no time). */
const statusTime = (s: TaskStatus): number | undefined => (s.finishedAt !== undefined && s.startedAt !== undefined ? Math.max(s.finishedAt, s.startedAt) : (s.finishedAt ?? s.startedAt));

/**
 * The live statuses after a detail fetch: per task, the fresher one wins. The detail is a fresh read
 * of the workflow, so it wins unless the status we hold says it changed later (a `task` event that
 * arrived while the fetch was in flight) — never the other way round, so a missed event is corrected
 * by the next refresh. A status with a time is fresher than one without (a task only gains times as
 * it goes on); equal or no times: the detail wins.
 */
function mergeLive(held: Record<string, TaskStatus>, fetched: Record<string, TaskStatus>): Record<string, TaskStatus> {
  const merged: Record<string, TaskStatus> = { ...held };
  for (const [task, status] of Object.entries(fetched)) {
    const mine = held[task];
    const mineAt = mine ? statusTime(mine) : undefined;
    const theirs = statusTime(status);
    const keepMine = mineAt !== undefined && (theirs === undefined || mineAt > theirs);
    if (!keepMine) merged[task] = status;
  }
  return merged;
}

export function reduceRun(state: RunViewState, event: RunEvent): RunViewState {
  switch (event.type) {
    case 'detail': {
      const executions = { ...state.executions };
      for (const e of event.detail.executions) executions[e.taskId] = e;
      return {
        ...state,
        run: newerRun(state.run, event.detail.run),
        live: event.detail.live ? mergeLive(state.live, event.detail.live.tasks) : state.live,
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
    case 'cancel-requested':
      return { ...state, cancelRequested: true };
  }
}

/** The run's status as the header shows it: "cancelling…" between an accepted cancel and the end. */
export function runStatusView(state: RunViewState): { status: Run['status'] | 'cancelling'; label: string; canCancel: boolean } {
  const ended = state.ended || isFinalRun(state.run);
  const status = state.run?.status ?? 'pending';
  if (state.cancelRequested && !ended) return { status: 'cancelling', label: 'cancelling…', canCancel: false };
  return { status, label: status, canCancel: !ended };
}

/**
 * What went wrong, in words, by the run's status (never by its error text): a cancelled run was
 * cancelled — the task it stopped did not fail.
 */
export function runOutcome(run: Run): { kind: 'failed' | 'cancelled'; task?: string; text: string } | null {
  const task = run.failedTask ?? undefined;
  if (run.status === 'cancelled') {
    return { kind: 'cancelled', ...(task ? { task } : {}), text: task ? `The run was cancelled; task ${task} was stopped.` : 'The run was cancelled.' };
  }
  if (run.status === 'failed' || run.error) return { kind: 'failed', ...(task ? { task } : {}), text: run.error ?? 'The run failed.' };
  return null;
}

const time = (iso: string | null | undefined): number | undefined => {
  if (!iso) return undefined;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? undefined : t;
};

const FINAL_EXECUTION: readonly string[] = ['succeeded', 'failed', 'cached', 'skipped', 'cancelled'];
const FINAL_LIVE: readonly TaskStatus['state'][] = ['succeeded', 'failed', 'cached', 'skipped', 'cancelled'];

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

/** The live state's words → ours. */
function fromLive(status: TaskStatus): DisplayState {
  // A task no worker picks up is `waiting` as an approval gate is; `waitingFor` tells them apart.
  if (status.waitingFor) return status.waitingFor.resourceClass === 'gpu' ? 'waiting-gpu' : 'waiting-worker';
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
  const runEnded = state.ended || isFinalRun(state.run);
  // Once the run has ended, a live status that is not final is the workflow's last word before
  // the end (a task it never started, one it stopped): it did not run to an end of its own.
  if (live && !(runEnded && !FINAL_LIVE.includes(live.state))) {
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
      ...(live.waitingFor ? { waitingFor: live.waitingFor.reason } : {}),
    };
  }
  return { ...base, state: runEnded ? 'not-run' : 'queued' };
}

/** Precedence when one graph node stands for many task paths (a loop body task): the most urgent shows. */
const URGENCY: readonly DisplayState[] = ['failed', 'waiting-approval', 'waiting-gpu', 'waiting-worker', 'running', 'queued', 'cancelled', 'succeeded', 'cached', 'skipped', 'not-run'];
const URGENCY_RANK = Object.fromEntries(URGENCY.map((s, i) => [s, i])) as Record<DisplayState, number>;

/** Node views per state: the graph, its edges, the task list and the panel ask for the same ones. */
const nodeViews = new WeakMap<RunViewState, Map<string, TaskView & { paths: number }>>();

/**
 * The loop item paths (`loop[i]/…/task`) by every node id they may stand for (each suffix after a
 * `/`), built once per executions record instead of a scan of every path per node.
 */
const loopPathIndex = new WeakMap<Record<string, Execution>, ReadonlyMap<string, readonly string[]>>();
const ITEM = /\[\d+\]/;
function loopPaths(executions: Record<string, Execution>): ReadonlyMap<string, readonly string[]> {
  let index = loopPathIndex.get(executions);
  if (index) return index;
  const built = new Map<string, string[]>();
  for (const path of Object.keys(executions)) {
    if (!ITEM.test(path)) continue;
    for (let i = path.indexOf('/'); i !== -1; i = path.indexOf('/', i + 1)) {
      const id = path.slice(i + 1);
      const list = built.get(id);
      if (list) list.push(path);
      else built.set(id, [path]);
    }
  }
  index = built;
  loopPathIndex.set(executions, index);
  return index;
}

/**
 * The view of a graph node: its own task path, or — for a task inside a loop, whose executions are
 * `loop[i]/task` — the most urgent state among its paths, with their count.
 */
export function nodeView(state: RunViewState, nodeId: string): TaskView & { paths: number } {
  let views = nodeViews.get(state);
  if (!views) {
    views = new Map();
    nodeViews.set(state, views);
  }
  let view = views.get(nodeId);
  if (!view) {
    view = computeNodeView(state, nodeId);
    views.set(nodeId, view);
  }
  return view;
}

function computeNodeView(state: RunViewState, nodeId: string): TaskView & { paths: number } {
  const own = state.executions[nodeId] !== undefined || state.live[nodeId] !== undefined;
  if (own) return { ...taskView(state, nodeId), paths: 1 };
  const paths = loopPaths(state.executions).get(nodeId) ?? [];
  if (paths.length === 0) {
    const trials = trialPaths(state.executions).get(nodeId);
    return trials ? studyView(state, nodeId, trials) : { ...taskView(state, nodeId), paths: 0 };
  }
  let first: TaskView | undefined;
  for (const p of paths) {
    const v = taskView(state, p);
    if (!first || URGENCY_RANK[v.state] < URGENCY_RANK[first.state]) first = v;
  }
  return { ...(first as TaskView), taskId: nodeId, paths: paths.length };
}

/**
 * A study's trials (`<study>[n]`, no `/`: each a task execution of the trial component) by study
 * id. A study has no execution of its own, and once the run has ended no live status either.
 */
const trialPathIndex = new WeakMap<Record<string, Execution>, ReadonlyMap<string, readonly string[]>>();
const TRIAL = /^(.*[^\]])\[\d+\]$/;
function trialPaths(executions: Record<string, Execution>): ReadonlyMap<string, readonly string[]> {
  let index = trialPathIndex.get(executions);
  if (index) return index;
  const built = new Map<string, string[]>();
  for (const path of Object.keys(executions)) {
    const study = TRIAL.exec(path)?.[1];
    if (!study || study.includes('[')) continue;
    const list = built.get(study);
    if (list) list.push(path);
    else built.set(study, [path]);
  }
  index = built;
  trialPathIndex.set(executions, index);
  return index;
}

/**
 * A study by its trials: running while one runs; succeeded when one succeeded (the study has a
 * best); else its most urgent trial. Its time spans its trials.
 */
function studyView(state: RunViewState, nodeId: string, trials: readonly string[]): TaskView & { paths: number } {
  const views = trials.map((p) => taskView(state, p));
  const pick = views.find((v) => v.state === 'running') ?? views.find((v) => v.state === 'succeeded') ?? views.reduce((a, b) => (URGENCY_RANK[b.state] < URGENCY_RANK[a.state] ? b : a));
  const starts = views.flatMap((v) => (v.startedAt !== undefined ? [v.startedAt] : []));
  const ends = views.flatMap((v) => (v.finishedAt !== undefined ? [v.finishedAt] : []));
  const running = pick.state === 'running';
  return {
    taskId: nodeId,
    state: pick.state,
    attempt: 1,
    ...(starts.length ? { startedAt: Math.min(...starts) } : {}),
    ...(!running && ends.length ? { finishedAt: Math.max(...ends) } : {}),
    ...(pick.state === 'failed' && pick.error ? { error: pick.error } : {}),
    paths: trials.length,
  };
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
