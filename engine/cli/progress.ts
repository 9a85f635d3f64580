/**
 * The progress lines of a followed run, derived from snapshots of its state rather than from
 * deltas: whatever arrives — the workflow's view of a task (`TaskStatus`, while the run runs), an
 * execution record (also after the run has ended), late, twice, or the final state before the
 * intermediate ones — each top-level task gets one line per transition it made, in order:
 * ▶ running (… waiting) → ✓ succeeded | ↺ cached | – skipped | ✗ failed (with its error) | ■ cancelled.
 *
 * Pure: no I/O, so the rules are unit-tested (progress.unit.test.ts).
 */
import type { Execution, TaskState, TaskStatus } from '../contract/index';

const MARKS: Record<TaskState, string> = {
  pending: ' ',
  running: '▶',
  waiting: '…',
  succeeded: '✓',
  cached: '↺',
  skipped: '–',
  failed: '✗',
  cancelled: '■',
};

const FINAL: ReadonlySet<TaskState> = new Set(['succeeded', 'cached', 'skipped', 'failed', 'cancelled']);
/** Final states a task only reaches by running: a follower that missed the running phase still shows it. */
const RAN: ReadonlySet<TaskState> = new Set(['succeeded', 'failed']);

/** Top-level task ids are names (letters, digits, "-", "_"); loop items and nested tasks have paths. */
const TOP_LEVEL = /^[A-Za-z][\w-]*$/;

export interface ProgressLine {
  task: string;
  state: TaskState;
  text: string;
}

/** What one observation says about a task. */
interface Seen {
  state: TaskState;
  startedAt?: number;
  finishedAt?: number;
  error?: string;
  items?: TaskStatus['items'];
  approval?: TaskStatus['approval'];
  waitingFor?: TaskStatus['waitingFor'];
}

export class RunProgress {
  /** Per task: the key of the last line shown, whether it was final, whether the task was seen running. */
  private readonly shown = new Map<string, { key: string; final: boolean; ran: boolean }>();

  constructor(private readonly runId: string) {}

  /** The workflow's view of a top-level task (its status query). */
  task(task: string, status: TaskStatus): ProgressLine[] {
    return this.lines(task, { ...status });
  }

  /**
   * Execution records (any order). While the run goes on, a failed execution may be an attempt
   * that Temporal retries, so only `runEnded` makes failed and cancelled records final.
   */
  executions(records: readonly Execution[], runEnded: boolean): ProgressLine[] {
    const timed: { at: number; order: number; line: ProgressLine }[] = [];
    let order = 0;
    for (const e of records) {
      if (!TOP_LEVEL.test(e.taskId)) continue;
      const state = e.status as TaskState;
      const settled = state === 'succeeded' || state === 'cached' || state === 'skipped' || (runEnded && (state === 'failed' || state === 'cancelled'));
      if (!settled) continue;
      const startedAt = Date.parse(e.startedAt);
      const finishedAt = e.finishedAt === null ? undefined : Date.parse(e.finishedAt);
      for (const line of this.lines(e.taskId, { state, startedAt, ...(finishedAt !== undefined ? { finishedAt } : {}), ...(e.error ? { error: e.error } : {}) })) {
        // A task's running line happened when it started, its final line when it finished.
        timed.push({ at: line.state === 'running' ? startedAt : (finishedAt ?? startedAt), order: order++, line });
      }
    }
    return timed.sort((a, b) => a.at - b.at || a.order - b.order).map((t) => t.line);
  }

  private lines(task: string, seen: Seen): ProgressLine[] {
    if (seen.state === 'pending') return [];
    const before = this.shown.get(task);
    if (before?.final) return [];
    const items = seen.items ? ` ${seen.items.done}/${seen.items.total} items` : '';
    const key = `${seen.state}${items}|${seen.waitingFor?.reason ?? ''}`;
    if (before?.key === key) return [];
    const final = FINAL.has(seen.state);
    const out: ProgressLine[] = [];
    // Missed the running phase (it was short, or a reconnection lost it): the task did run. An
    // approval gate waits instead of running, so its wait counts as its running phase.
    const ran = (before?.ran ?? false) || seen.state === 'running' || (seen.state === 'waiting' && !seen.waitingFor);
    if (final && RAN.has(seen.state) && !ran) out.push({ task, state: 'running', text: `  ${MARKS.running} ${task} running` });
    this.shown.set(task, { key, final, ran: ran || final });
    out.push({ task, state: seen.state, text: this.text(task, seen, items) });
    return out;
  }

  private text(task: string, s: Seen, items: string): string {
    if (s.waitingFor) return `  ${MARKS[s.state]} ${task} ${s.waitingFor.reason}`;
    const took = s.state !== 'skipped' && s.startedAt !== undefined && s.finishedAt !== undefined ? ` (${((s.finishedAt - s.startedAt) / 1000).toFixed(1)} s)` : '';
    const why =
      s.state === 'waiting'
        ? ` for approval${s.approval?.message ? ` ("${s.approval.message}")` : ''}: npx sluice runs approve ${this.runId} ${task}`
        : s.error
          ? `: ${s.error}`
          : '';
    return `  ${MARKS[s.state]} ${task} ${s.state}${items}${took}${why}`;
  }
}
