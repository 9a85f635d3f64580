/** Reading workflow histories: sizes, the workflows of a run, and where the time of a chain goes. */
import type { Client } from '@temporalio/client';
import proto from '@temporalio/proto';

// A CommonJS package: its namespaces come through the default export under ESM.
const { temporal } = proto;

type HistoryEvent = proto.temporal.api.history.v1.IHistoryEvent;

export interface WorkflowHistory {
  workflowId: string;
  events: HistoryEvent[];
  /** Encoded size of the history. */
  bytes: number;
}

export async function fetchHistory(client: Client, workflowId: string, runId?: string): Promise<WorkflowHistory> {
  const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
  const events = history.events ?? [];
  return { workflowId, events, bytes: temporal.api.history.v1.History.encode({ events }).finish().length };
}

/** Every run of a workflow id, first run first: a workflow that continued as new has several (a loop batch does). */
export async function fetchAllRuns(client: Client, workflowId: string): Promise<WorkflowHistory[]> {
  const runs = [await fetchHistory(client, workflowId)];
  for (;;) {
    const before = runs[0]?.events[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId;
    if (!before) return runs;
    runs.unshift(await fetchHistory(client, workflowId, before));
  }
}

/**
 * Every workflow of a run: the root and, recursively, the children it started (read from the
 * histories themselves, so the answer does not depend on the visibility store catching up), each
 * run of a workflow that continued as new as a history of its own.
 */
export async function runWorkflowHistories(client: Client, rootId: string): Promise<WorkflowHistory[]> {
  const out: WorkflowHistory[] = [];
  const queue = [rootId];
  while (queue.length > 0) {
    const batch = queue.splice(0, 8);
    const histories = (await Promise.all(batch.map((id) => fetchAllRuns(client, id)))).flat();
    for (const h of histories) {
      out.push(h);
      for (const e of h.events) {
        const child = e.startChildWorkflowExecutionInitiatedEventAttributes?.workflowId;
        if (child) queue.push(child);
      }
    }
  }
  return out;
}

/** Workflow ids starting with `prefix`, from the visibility store (undefined when it cannot answer). */
export async function listWorkflowIds(client: Client, prefix: string): Promise<string[] | undefined> {
  try {
    const ids: string[] = [];
    for await (const w of client.workflow.list({ query: `WorkflowId STARTS_WITH "${prefix}"` })) ids.push(w.workflowId);
    return ids;
  } catch {
    return undefined;
  }
}

function eventMs(e: HistoryEvent): number {
  const t = e.eventTime;
  if (!t) return 0;
  const s = t.seconds;
  const seconds = typeof s === 'number' ? s : s ? s.toNumber() : 0;
  return seconds * 1000 + (t.nanos ?? 0) / 1e6;
}

/** Mean time per step of a chain of activities of one type, split where it goes. */
export interface ChainBreakdown {
  steps: number;
  /** Scheduled → started: server dispatch and the worker's poll. */
  queueMs: number;
  /** Started → completed: the activity in the worker (for Sluice, all of executeTask). */
  runMs: number;
  /** Completed → next scheduled: a workflow task (server dispatch, the workflow's code, the reply). */
  turnMs: number;
  /** Mean size of the scheduled activity's input payloads. */
  inputBytes: number;
  /** Of all workflow tasks: scheduled → started (dispatch to the workflow worker), started → completed (the worker). */
  workflowTask: { count: number; queueMs: number; runMs: number };
}

export function chainBreakdown(events: HistoryEvent[], activityType: string): ChainBreakdown {
  interface Act {
    scheduled: number;
    started?: number;
    completed?: number;
    inputBytes: number;
  }
  const acts = new Map<string, Act>();
  const wftScheduled = new Map<string, number>();
  const wftStarted = new Map<string, number>();
  const wft = { count: 0, queueMs: 0, runMs: 0 };
  for (const e of events) {
    const id = String(e.eventId ?? '');
    if (e.workflowTaskScheduledEventAttributes) wftScheduled.set(id, eventMs(e));
    const wStarted = e.workflowTaskStartedEventAttributes;
    if (wStarted) {
      const at = wftScheduled.get(String(wStarted.scheduledEventId ?? ''));
      if (at !== undefined) {
        wftStarted.set(id, eventMs(e));
        wft.queueMs += eventMs(e) - at;
      }
    }
    const wCompleted = e.workflowTaskCompletedEventAttributes;
    if (wCompleted) {
      const at = wftStarted.get(String(wCompleted.startedEventId ?? ''));
      if (at !== undefined) {
        wft.runMs += eventMs(e) - at;
        wft.count++;
      }
    }
    const sched = e.activityTaskScheduledEventAttributes;
    if (sched && sched.activityType?.name === activityType) {
      const inputBytes = (sched.input?.payloads ?? []).reduce((n, p) => n + (p.data?.length ?? 0), 0);
      acts.set(id, { scheduled: eventMs(e), inputBytes });
    }
    const started = e.activityTaskStartedEventAttributes;
    if (started) {
      const a = acts.get(String(started.scheduledEventId ?? ''));
      if (a) a.started = eventMs(e);
    }
    const completed = e.activityTaskCompletedEventAttributes;
    if (completed) {
      const a = acts.get(String(completed.scheduledEventId ?? ''));
      if (a) a.completed = eventMs(e);
    }
  }
  const list = [...acts.values()].sort((a, b) => a.scheduled - b.scheduled);
  let queue = 0;
  let run = 0;
  let turn = 0;
  let turns = 0;
  let bytes = 0;
  list.forEach((a, i) => {
    queue += (a.started ?? a.scheduled) - a.scheduled;
    run += (a.completed ?? a.started ?? a.scheduled) - (a.started ?? a.scheduled);
    bytes += a.inputBytes;
    const next = list[i + 1];
    if (next && a.completed !== undefined) {
      turn += next.scheduled - a.completed;
      turns++;
    }
  });
  const n = Math.max(1, list.length);
  const w = Math.max(1, wft.count);
  return {
    steps: list.length,
    queueMs: queue / n,
    runMs: run / n,
    turnMs: turns ? turn / turns : 0,
    inputBytes: bytes / n,
    workflowTask: { count: wft.count, queueMs: wft.queueMs / w, runMs: wft.runMs / w },
  };
}

/**
 * Workflow tasks that did not complete: failed (cause 17 FORCE_CLOSE_COMMAND is the server closing a
 * task that ran while more than 100 events were buffered; the worker then replays the whole
 * history) or timed out.
 */
export interface WorkflowTaskTrouble {
  failed: number;
  forceClosed: number;
  timedOut: number;
  /** Timed out waiting in the (sticky) queue: no worker took the task within the sticky schedule-to-start timeout. */
  scheduleToStart: number;
  /** Timed out while a worker held it (the workflow task timeout, 10 s). */
  startToClose: number;
  /** The highest attempt a workflow task reached (1 when none was retried). */
  maxAttempt: number;
  /** The longest completed workflow task, started to completed, in ms, and the workflow it ran in. */
  longestMs: number;
  longestIn: string;
  /** Workflows with at least one timed-out workflow task. */
  workflowsTimedOut: number;
}

export function workflowTaskTrouble(histories: WorkflowHistory[]): WorkflowTaskTrouble {
  const t: WorkflowTaskTrouble = { failed: 0, forceClosed: 0, timedOut: 0, scheduleToStart: 0, startToClose: 0, maxAttempt: 1, longestMs: 0, longestIn: '', workflowsTimedOut: 0 };
  const Timeout = temporal.api.enums.v1.TimeoutType;
  for (const h of histories) {
    let started = 0;
    let timedOutHere = false;
    for (const e of h.events) {
      const f = e.workflowTaskFailedEventAttributes;
      if (f) {
        t.failed++;
        if (f.cause === temporal.api.enums.v1.WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_FORCE_CLOSE_COMMAND) t.forceClosed++;
      }
      const attempt = e.workflowTaskScheduledEventAttributes?.attempt;
      if (attempt && attempt > t.maxAttempt) t.maxAttempt = attempt;
      if (e.workflowTaskStartedEventAttributes) started = eventMs(e);
      if (e.workflowTaskCompletedEventAttributes && started) {
        const ms = eventMs(e) - started;
        if (ms > t.longestMs) {
          t.longestMs = ms;
          t.longestIn = h.workflowId;
        }
      }
      const to = e.workflowTaskTimedOutEventAttributes;
      if (to) {
        t.timedOut++;
        timedOutHere = true;
        if (to.timeoutType === Timeout.TIMEOUT_TYPE_SCHEDULE_TO_START) t.scheduleToStart++;
        else t.startToClose++;
      }
    }
    if (timedOutHere) t.workflowsTimedOut++;
  }
  return t;
}

/** One line for a benchmark's output: the workflow tasks that did not complete, and the longest that did. */
export function describeTrouble(t: WorkflowTaskTrouble): string {
  return (
    `workflow tasks not completed: ${t.failed} failed (${t.forceClosed} force-closed by the server: >100 events buffered during one task), ` +
    `${t.timedOut} timed out (${t.scheduleToStart} schedule-to-start, ${t.startToClose} start-to-close, in ${t.workflowsTimedOut} workflows; ` +
    `highest attempt ${t.maxAttempt}); longest completed workflow task ${(t.longestMs / 1000).toFixed(2)} s${t.longestIn ? ` (${t.longestIn})` : ''}`
  );
}

/** An activity that Temporal started more than once: why its earlier attempt ended (the started event's last failure). */
export interface ActivityRetry {
  workflowId: string;
  activityId: string;
  attempt: number;
  scheduledAt: string;
  startedAt: string;
  /** The last failure as Temporal recorded it: its kind (a timeout names its type) and message. */
  lastFailure: string;
}

/**
 * Every activity started at an attempt above 1 in these histories. Only the attempt that ran last
 * is in a history (Temporal retries inside the server), and its started event carries the failure
 * that ended the attempt before: a heartbeat timeout (a worker that stalled or never got the task),
 * a start-to-close timeout, or an error the activity threw.
 */
export function activityRetries(histories: WorkflowHistory[]): ActivityRetry[] {
  const Timeout = temporal.api.enums.v1.TimeoutType;
  const out: ActivityRetry[] = [];
  for (const h of histories) {
    const scheduled = new Map<string, HistoryEvent>();
    for (const e of h.events) {
      if (e.activityTaskScheduledEventAttributes) scheduled.set(String(e.eventId), e);
      const s = e.activityTaskStartedEventAttributes;
      if (!s || !s.attempt || s.attempt <= 1) continue;
      const sch = scheduled.get(String(s.scheduledEventId));
      const f = s.lastFailure;
      const timeout = f?.timeoutFailureInfo?.timeoutType;
      const kind = timeout ? `timeout ${Timeout[timeout] ?? timeout}` : f?.applicationFailureInfo ? `error ${f.applicationFailureInfo.type ?? ''}` : f ? 'failure' : 'none recorded';
      out.push({
        workflowId: h.workflowId,
        activityId: sch?.activityTaskScheduledEventAttributes?.activityId ?? `scheduled event ${String(s.scheduledEventId)}`,
        attempt: s.attempt,
        scheduledAt: sch ? new Date(eventMs(sch)).toISOString() : '?',
        startedAt: new Date(eventMs(e)).toISOString(),
        lastFailure: `${kind}${f?.message ? `: ${f.message.slice(0, 200)}` : ''}`,
      });
    }
  }
  return out;
}
