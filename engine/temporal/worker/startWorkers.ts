/**
 * Starts the Temporal workers of one process: the control worker (the `pipelineRun` workflow, run
 * bookkeeping and local steps, on `<prefix>`) and one task worker per resource class (`<prefix>-cpu`, …).
 * The GPU worker runs one task per GPU and lends each task its own device (DevicePool).
 */
import os from 'node:os';
import { DefaultLogger, type NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { createRolloutActivities, createRunActivities, createStudyActivities, createTaskActivities, createTriggerActivities, type ExecuteTaskDeps } from '../activities/index';
import { workflowBundle } from './workflowBundle';
import { DevicePool, type GpuDevice } from '../activities/index';
import { workerIdentity, type WorkerRuntime } from './identity';

export type ResourceClass = 'cpu' | 'gpu';

export interface StartWorkersOptions extends Omit<ExecuteTaskDeps, 'devices'> {
  connection: NativeConnection;
  namespace?: string;
  taskQueuePrefix: string;
  /** Which task queues this process serves. The control worker runs when `control` is not false. */
  resourceClasses: ResourceClass[];
  control?: boolean;
  /** Concurrent tasks of the cpu worker (default 8). The gpu worker runs one task per GPU. */
  maxConcurrentTasks?: Partial<Record<'cpu', number>>;
  /** The GPUs of the gpu worker (required, non-empty, when resourceClasses has 'gpu'). */
  gpus?: GpuDevice[];
  /** What the task workers offer (GPUs, ML runtimes), written into their Temporal identity. */
  runtime?: WorkerRuntime;
}

/** A worker cannot be set up as asked: the message says what to change. */
export class WorkerSetupError extends Error {
  override readonly name = 'WorkerSetupError';
  readonly code = 'worker-setup';
  readonly retryable = false;
}

export interface RunningWorkers {
  taskQueues: string[];
  /**
   * Stops polling and resolves when the workers are down. Running activities are cancelled (the
   * SDK's shutdown grace time is 0) and retried on another worker at once.
   */
  shutdown(): Promise<void>;
  /** Settles when every worker has stopped (rejects if one crashed). */
  done: Promise<void>;
}

let runtimeInstalled = false;

/** Temporal's core logs at INFO to the console by default; keep it to errors unless asked. */
export function installQuietRuntime(): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  try {
    Runtime.install({ logger: new DefaultLogger((process.env.SLUICE_TEMPORAL_LOG_LEVEL as 'WARN' | undefined) ?? 'ERROR') });
  } catch {
    // already installed by someone else in this process: keep theirs
  }
}

export async function startWorkers(options: StartWorkersOptions): Promise<RunningWorkers> {
  installQuietRuntime();
  const namespace = options.namespace ?? 'default';
  const processName = `${process.pid}@${os.hostname()}`;
  const gpus = options.gpus ?? [];
  if (options.resourceClasses.includes('gpu') && gpus.length === 0) {
    throw new WorkerSetupError(
      `a gpu worker needs at least one GPU, and none was found or configured; serve the cpu queue only, or declare GPUs with SLUICE_GPUS=<count> (or sluice worker --gpus)`,
    );
  }
  const workers: Worker[] = [];
  if (options.control !== false) {
    workers.push(
      await Worker.create({
        connection: options.connection,
        namespace,
        identity: workerIdentity(processName, 'control'),
        taskQueue: options.taskQueuePrefix,
        workflowBundle: await workflowBundle(),
        activities: {
          ...createRunActivities(options.metadata),
          ...createStudyActivities(options.metadata, options.artifacts),
          ...createRolloutActivities(options.metadata),
          ...createTriggerActivities({ metadata: options.metadata, logger: options.logger }),
          // Local steps (execution: 'local') run here, in the worker that runs their workflow; never on a GPU.
          ...createTaskActivities(options),
        },
      }),
    );
  }
  for (const rc of options.resourceClasses) {
    const runtime: WorkerRuntime = { ...options.runtime, gpus: rc === 'gpu' ? gpus.map((d) => d.index) : [] };
    workers.push(
      await Worker.create({
        connection: options.connection,
        namespace,
        identity: workerIdentity(processName, rc, runtime),
        taskQueue: `${options.taskQueuePrefix}-${rc}`,
        // A pool per worker: only GPU tasks get (and wait for) a device.
        activities: createTaskActivities(rc === 'gpu' ? { ...options, devices: new DevicePool(gpus) } : options),
        // One task per GPU: two trainings sharing a device run out of its memory or crawl.
        maxConcurrentActivityTaskExecutions: rc === 'gpu' ? gpus.length : (options.maxConcurrentTasks?.cpu ?? 8),
      }),
    );
  }
  const done = Promise.all(workers.map((w) => w.run())).then(() => undefined);
  return {
    taskQueues: workers.map((w) => w.options.taskQueue),
    async shutdown() {
      for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
      await done;
    },
    done,
  };
}
