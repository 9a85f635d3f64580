/**
 * Who serves the task queues, as Temporal sees it: the pollers of each queue (DescribeTaskQueue),
 * named by the identities the workers gave themselves (engine/temporal/worker/identity.ts). Used for
 * `GET /api/workers` / `sluice workers`, and to say why a scheduled task has not started: a task
 * whose queue nobody polls is "waiting for a gpu worker".
 *
 * What pollers can and cannot tell: an idle worker polls all the time (a long poll, renewed at
 * least every minute); a worker whose task slots are all busy does not poll, and Temporal forgets
 * a poller a few minutes after its last poll. So "nobody polls" means "no worker online, or all
 * busy" — the reasons below say so.
 */
import type { Client } from '@temporalio/client';
import { optionalTsToMs } from '@temporalio/common/lib/time.js'; // .js: a CommonJS file, which Node's ESM loader (the built package) finds only by its full name
import type { ExecutionRecord } from '../../stores/metadata/index';
import { parseWorkerIdentity, type WorkerRole, type WorkerRuntime } from './identity';
import type { RunStatusView } from '../workflows/types';

/** temporal.api.enums.v1.TaskQueueType (wire values; the enum's named export does not load under every ESM loader). */
const TASK_QUEUE_TYPE = { workflow: 1, activity: 2 } as const;

/** A poller seen this recently is idle and will take a task at once (long polls last ≤ 1 minute). */
export const POLLER_FRESH_MS = 90_000;
/** Describe results are reused this long: live views poll every second per viewer. */
const CACHE_MS = 1000;

export interface QueuePoller {
  identity: string;
  lastSeen?: Date;
}

/** What describing a task queue needs: a Client, or a workflow handle's client. */
export interface TemporalDescriber {
  workflowService: Client['workflowService'];
  withDeadline: Client['withDeadline'];
  options: { namespace: string };
}

const cache = new Map<string, { at: number; pollers: Promise<QueuePoller[]> }>();

/** The pollers Temporal remembers for one task queue (activity or workflow side). */
export function queuePollers(client: TemporalDescriber, queue: string, type: keyof typeof TASK_QUEUE_TYPE = 'activity'): Promise<QueuePoller[]> {
  const namespace = client.options.namespace;
  const key = `${namespace}\u0000${queue}\u0000${type}`;
  const hit = cache.get(key);
  if (hit && Date.now() - hit.at < CACHE_MS) return hit.pollers;
  const pollers = client.withDeadline(Date.now() + 3000, async () => {
    const res = await client.workflowService.describeTaskQueue({ namespace, taskQueue: { name: queue }, taskQueueType: TASK_QUEUE_TYPE[type] });
    return (res.pollers ?? []).map((p): QueuePoller => {
      const ms = optionalTsToMs(p.lastAccessTime);
      return { identity: p.identity ?? '', ...(ms !== undefined ? { lastSeen: new Date(ms) } : {}) };
    });
  });
  cache.set(key, { at: Date.now(), pollers });
  pollers.catch(() => cache.delete(key)); // a failed call is not remembered
  return pollers;
}

export interface WorkerView {
  /** `pid@host` of the worker process. */
  process: string;
  /** Roles it serves: control, cpu, gpu. */
  roles: WorkerRole[];
  taskQueues: string[];
  /** GPU indices of its gpu worker. */
  gpus: number[];
  tfjs?: string;
  onnx?: string[];
  /** Last poll on any of its queues. */
  lastSeen?: Date;
  /** False when it has not polled for a while: busy on every slot, or gone. */
  polling: boolean;
  /** The identity strings as Temporal reports them (other SDKs' workers are listed by these). */
  identities: string[];
}

export interface QueueView {
  name: string;
  role: WorkerRole;
  pollers: number;
  /** Pollers seen within POLLER_FRESH_MS: idle workers ready for a task. */
  idlePollers: number;
}

/** The workers polling the queues of one task-queue prefix, one entry per process. */
export async function listWorkers(client: TemporalDescriber, prefix: string, now = Date.now()): Promise<{ queues: QueueView[]; workers: WorkerView[] }> {
  const targets: { name: string; role: WorkerRole; type: keyof typeof TASK_QUEUE_TYPE }[] = [
    { name: prefix, role: 'control', type: 'workflow' },
    { name: `${prefix}-cpu`, role: 'cpu', type: 'activity' },
    { name: `${prefix}-gpu`, role: 'gpu', type: 'activity' },
  ];
  const results = await Promise.all(targets.map((t) => queuePollers(client, t.name, t.type)));
  const byProcess = new Map<string, WorkerView>();
  const queues: QueueView[] = [];
  targets.forEach((t, i) => {
    const pollers = results[i] ?? [];
    queues.push({ name: t.name, role: t.role, pollers: pollers.length, idlePollers: pollers.filter((p) => isFresh(p, now)).length });
    for (const p of pollers) {
      const parsed = parseWorkerIdentity(p.identity);
      const view = byProcess.get(parsed.process) ?? { process: parsed.process, roles: [], taskQueues: [], gpus: [], polling: false, identities: [] };
      const role = parsed.role ?? t.role;
      if (!view.roles.includes(role)) view.roles.push(role);
      if (!view.taskQueues.includes(t.name)) view.taskQueues.push(t.name);
      if (!view.identities.includes(p.identity)) view.identities.push(p.identity);
      mergeRuntime(view, parsed.runtime);
      if (p.lastSeen && (!view.lastSeen || p.lastSeen > view.lastSeen)) view.lastSeen = p.lastSeen;
      view.polling ||= isFresh(p, now);
      byProcess.set(parsed.process, view);
    }
  });
  const workers = [...byProcess.values()].sort((a, b) => a.process.localeCompare(b.process));
  return { queues, workers };
}

function mergeRuntime(view: WorkerView, runtime: WorkerRuntime | undefined): void {
  if (!runtime) return;
  for (const g of runtime.gpus) if (!view.gpus.includes(g)) view.gpus.push(g);
  if (runtime.tfjs) view.tfjs = runtime.tfjs;
  if (runtime.onnx) view.onnx = runtime.onnx;
}

const isFresh = (p: QueuePoller, now: number): boolean => p.lastSeen !== undefined && now - p.lastSeen.getTime() < POLLER_FRESH_MS;

/** Why a task scheduled on `queue` is not running yet, or undefined when an idle worker polls it. */
export function waitReason(queue: string, pollers: QueuePoller[], now = Date.now()): { resourceClass: 'cpu' | 'gpu'; reason: string } | undefined {
  if (pollers.some((p) => isFresh(p, now))) return undefined;
  const resourceClass = queue.endsWith('-gpu') ? 'gpu' : 'cpu';
  if (pollers.length === 0) {
    return {
      resourceClass,
      reason: `waiting for a ${resourceClass} worker: none is polling task queue ${queue} (start one: sluice worker --queue ${resourceClass})`,
    };
  }
  const last = Math.max(...pollers.map((p) => p.lastSeen?.getTime() ?? 0));
  const ago = last > 0 ? ` (last poll ${Math.round((now - last) / 1000)} s ago)` : '';
  return { resourceClass, reason: `waiting for a free ${resourceClass} worker: every worker of task queue ${queue} is busy or gone${ago}` };
}

/**
 * Whether a worker has taken an attempt of a task the workflow still runs, by its execution row:
 * workers write the row when an attempt starts, so a row with an attempt number says so — whether
 * that attempt is running, or failed or was cancelled and the next one is in retry backoff. (Rows
 * the workflow writes itself — skipped tasks, approval gates — are never a worker's.)
 */
export function takenByWorker(e: Pick<ExecutionRecord, 'status' | 'attempt'>): boolean {
  if (e.attempt < 1) return false;
  switch (e.status) {
    case 'running':
    case 'failed':
    case 'cancelled':
    case 'succeeded':
    case 'cached':
      return true;
    case 'waiting':
    case 'skipped':
      return false;
  }
}

/**
 * Marks the running tasks of a live status that are still in their queue with nobody to take
 * them: state 'waiting' and `waitingFor` with the reason. A task that a worker has taken
 * (`takenByWorker`: an attempt running, or in retry backoff after a failed one) is never marked:
 * a busy worker stops polling, so pollers alone would mislead.
 * Lookup failures leave the status as it was: this is a hint, never a reason to fail a read.
 */
export async function annotateWaitingTasks(
  status: RunStatusView | undefined,
  deps: { client: TemporalDescriber; executions: () => Promise<Pick<ExecutionRecord, 'taskId' | 'status' | 'attempt'>[]>; now?: number },
): Promise<RunStatusView | undefined> {
  if (!status) return status;
  const candidates = Object.entries(status.tasks).filter(([, t]) => t.state === 'running' && t.taskQueue !== undefined);
  if (candidates.length === 0) return status;
  try {
    const now = deps.now ?? Date.now();
    const reasons = new Map<string, ReturnType<typeof waitReason>>();
    for (const queue of new Set(candidates.map(([, t]) => t.taskQueue as string))) reasons.set(queue, waitReason(queue, await queuePollers(deps.client, queue), now));
    if (![...reasons.values()].some(Boolean)) return status;
    const started = new Set((await deps.executions()).filter(takenByWorker).map((e) => e.taskId));
    const tasks = { ...status.tasks };
    for (const [id, t] of candidates) {
      const why = reasons.get(t.taskQueue as string);
      if (why && !started.has(id)) tasks[id] = { ...t, state: 'waiting', waitingFor: why };
    }
    return { ...status, tasks };
  } catch {
    return status;
  }
}
