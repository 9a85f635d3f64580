/**
 * The settings of a standalone worker process, from its flags and the environment. A standalone
 * worker shares its stores with other processes (other workers, the API, the CLI), so it needs a
 * Temporal server (TEMPORAL_ADDRESS) and PostgreSQL (DATABASE_URL): the embedded PGlite database
 * belongs to one process only.
 */
import path from 'node:path';
import { stateDir } from '../engine/paths';
import { DEFAULT_TASK_QUEUE_PREFIX, ReconcileSettingError, reconcileIntervalFromEnv } from '../engine/runs/index';
import { GpuSettingError, parseGpuSetting } from './runtime/index';

/** What a worker can serve: the control queue (workflows + run bookkeeping) and the task queues. */
export const WORKER_QUEUES = ['control', 'cpu', 'gpu'] as const;
export type WorkerQueue = (typeof WORKER_QUEUES)[number];

export interface WorkerSettings {
  temporalAddress: string;
  namespace: string;
  databaseUrl: string;
  /** Artifact store root: a directory, a file:// URL or s3://bucket/prefix (S3 settings from the environment). */
  artifactsRoot: string;
  /** Scratch space for task attempts. */
  workRoot: string;
  queues: WorkerQueue[];
  /** Modules with component implementations (paths relative to the working directory, or package names). */
  modules: string[];
  /** Concurrent tasks on the cpu queue (default 8). The gpu queue runs one task per GPU. */
  concurrency?: number;
  taskQueuePrefix: string;
  /** Which GPUs to use (`--gpus`, else SLUICE_GPUS): auto, none, a count or indices (workers/runtime/gpus.ts). */
  gpus?: string;
  /** Name of the setting `gpus` came from, for messages. */
  gpusFrom?: string;
  /** A control worker's run reconciler: ms between passes after the start-up pass (SLUICE_RECONCILE_INTERVAL_MS; 0: start-up only). */
  reconcileIntervalMs: number;
}

export interface WorkerFlags {
  queue: string[];
  module: string[];
  concurrency?: string;
  taskQueuePrefix?: string;
  gpus?: string;
}

/** A setting is missing or wrong: the message says which and what to do. */
export class WorkerSettingsError extends Error {
  override readonly name = 'WorkerSettingsError';
  readonly code = 'invalid-worker-setting';
  readonly retryable = false;
}

export function resolveWorkerSettings(flags: WorkerFlags, env: NodeJS.ProcessEnv = process.env): WorkerSettings {
  const queues: WorkerQueue[] = [];
  for (const q of flags.queue) {
    if (!(WORKER_QUEUES as readonly string[]).includes(q)) {
      throw new WorkerSettingsError(`--queue "${q}" is not a queue a worker can serve; choose from ${WORKER_QUEUES.join(', ')}`);
    }
    if (!queues.includes(q as WorkerQueue)) queues.push(q as WorkerQueue);
  }
  if (queues.length === 0) {
    throw new WorkerSettingsError(
      `say which queues this worker serves: --queue ${WORKER_QUEUES.join('|')} (repeatable), e.g. --queue control --queue cpu`,
    );
  }

  let concurrency: number | undefined;
  if (flags.concurrency !== undefined) {
    concurrency = Number(flags.concurrency);
    if (!Number.isInteger(concurrency) || concurrency < 1) {
      throw new WorkerSettingsError(`--concurrency must be a positive integer, got "${flags.concurrency}"`);
    }
    if (!queues.includes('cpu')) {
      throw new WorkerSettingsError('--concurrency sets how many cpu tasks run at once, and this worker serves no cpu queue; a gpu worker runs one task per GPU (choose the GPUs with --gpus)');
    }
  }

  const gpus = flags.gpus?.trim() || env.SLUICE_GPUS?.trim() || undefined;
  const gpusFrom = flags.gpus?.trim() ? '--gpus' : 'SLUICE_GPUS';
  if (gpus !== undefined) {
    try {
      parseGpuSetting(gpus, gpusFrom);
    } catch (e) {
      if (e instanceof GpuSettingError) throw new WorkerSettingsError(e.message);
      throw e;
    }
  }

  const temporalAddress = env.TEMPORAL_ADDRESS?.trim();
  if (!temporalAddress) {
    throw new WorkerSettingsError(
      'TEMPORAL_ADDRESS is not set: a standalone worker connects to a running Temporal server; ' +
        'set TEMPORAL_ADDRESS=host:port (e.g. 127.0.0.1:7233)',
    );
  }
  const databaseUrl = env.DATABASE_URL?.trim();
  if (!databaseUrl) {
    throw new WorkerSettingsError(
      'DATABASE_URL is not set: a standalone worker needs a metadata database it shares with the other Sluice ' +
        'processes, i.e. PostgreSQL (the embedded PGlite database can be opened by one process only); ' +
        'set DATABASE_URL=postgres://USER:PASSWORD@HOST:PORT/DATABASE, or use `sluice run`, which runs its own workers',
    );
  }

  let reconcileIntervalMs: number;
  try {
    reconcileIntervalMs = reconcileIntervalFromEnv(env);
  } catch (e) {
    if (e instanceof ReconcileSettingError) throw new WorkerSettingsError(e.message);
    throw e;
  }

  const home = stateDir();
  return {
    temporalAddress,
    namespace: env.TEMPORAL_NAMESPACE?.trim() || 'default',
    databaseUrl,
    artifactsRoot: env.SLUICE_ARTIFACTS?.trim() || path.join(home, 'artifacts'),
    workRoot: path.join(home, 'work'),
    queues,
    modules: flags.module,
    ...(concurrency !== undefined ? { concurrency } : {}),
    taskQueuePrefix: flags.taskQueuePrefix?.trim() || env.SLUICE_TASK_QUEUE_PREFIX?.trim() || DEFAULT_TASK_QUEUE_PREFIX,
    ...(gpus !== undefined ? { gpus, gpusFrom } : {}),
    reconcileIntervalMs,
  };
}
