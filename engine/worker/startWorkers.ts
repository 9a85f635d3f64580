/**
 * Starts the Temporal workers of one process: the control worker (the `pipelineRun` workflow and
 * run bookkeeping, on `<prefix>`) and one task worker per resource class (`<prefix>-cpu`, …).
 */
import { DefaultLogger, type NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { createRunActivities, createTaskActivities, createTriggerActivities, type ExecuteTaskDeps } from '../activities/index';
import { workflowBundle } from '../temporal/workflowBundle';

export type ResourceClass = 'cpu' | 'gpu';

export interface StartWorkersOptions extends ExecuteTaskDeps {
  connection: NativeConnection;
  namespace?: string;
  taskQueuePrefix: string;
  /** Which task queues this process serves. The control worker runs when `control` is not false. */
  resourceClasses: ResourceClass[];
  control?: boolean;
  /** Concurrent tasks per task worker (a GPU worker should use its GPU count). */
  maxConcurrentTasks?: Partial<Record<ResourceClass, number>>;
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
  const workers: Worker[] = [];
  if (options.control !== false) {
    workers.push(
      await Worker.create({
        connection: options.connection,
        namespace,
        taskQueue: options.taskQueuePrefix,
        workflowBundle: await workflowBundle(),
        activities: { ...createRunActivities(options.metadata), ...createTriggerActivities({ metadata: options.metadata, logger: options.logger }) },
      }),
    );
  }
  const taskActivities = createTaskActivities(options);
  for (const rc of options.resourceClasses) {
    workers.push(
      await Worker.create({
        connection: options.connection,
        namespace,
        taskQueue: `${options.taskQueuePrefix}-${rc}`,
        activities: taskActivities,
        maxConcurrentActivityTaskExecutions: options.maxConcurrentTasks?.[rc] ?? (rc === 'gpu' ? 1 : 8),
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
