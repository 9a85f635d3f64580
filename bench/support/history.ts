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

export async function fetchHistory(client: Client, workflowId: string): Promise<WorkflowHistory> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  const events = history.events ?? [];
  return { workflowId, events, bytes: temporal.api.history.v1.History.encode({ events }).finish().length };
}

/**
 * Every workflow of a run: the root and, recursively, the children it started (read from the
 * histories themselves, so the answer does not depend on the visibility store catching up).
 */
export async function runWorkflowHistories(client: Client, rootId: string): Promise<WorkflowHistory[]> {
  const out: WorkflowHistory[] = [];
  const queue = [rootId];
  while (queue.length > 0) {
    const batch = queue.splice(0, 8);
    const histories = await Promise.all(batch.map((id) => fetchHistory(client, id)));
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
export function workflowTaskTrouble(histories: WorkflowHistory[]): { failed: number; forceClosed: number; timedOut: number } {
  let failed = 0;
  let forceClosed = 0;
  let timedOut = 0;
  for (const h of histories) {
    for (const e of h.events) {
      const f = e.workflowTaskFailedEventAttributes;
      if (f) {
        failed++;
        if (f.cause === temporal.api.enums.v1.WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_FORCE_CLOSE_COMMAND) forceClosed++;
      }
      if (e.workflowTaskTimedOutEventAttributes) timedOut++;
    }
  }
  return { failed, forceClosed, timedOut };
}
