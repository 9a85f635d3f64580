/**
 * Start-up of a standalone worker process (`sluice worker`): connect to Temporal, open the shared
 * metadata store (PostgreSQL) and the artifact store, load the component implementations, and
 * start the Temporal workers for the queues asked for. Any number of these processes may serve the
 * same queues; Temporal hands each task to one of them and retries it elsewhere when a worker dies.
 */
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import type { ArtifactStore } from '../engine/stores/artifacts/index';
import { openArtifactStore } from '../engine/stores/artifacts/index';
import type { Logger } from '../engine/logging';
import type { MetadataStore } from '../engine/stores/metadata/index';
import { openMetadataStore } from '../engine/stores/metadata/index';
import { startRunReconciler } from '../engine/runs/index';
import { installQuietRuntime, startWorkers, type ResourceClass } from '../engine/temporal/worker/index';
import { collectRuntimeReport, GpuSettingError, runtimeSummary, type RuntimeReport } from './runtime/index';
import type { WorkerSettings } from './settings';
import { ComponentRegistry, mlflowTrackingFromEnv } from '../engine/temporal/activities/index';

/** The built-in component library, always registered. */
export const BUILTIN_COMPONENTS_MODULE = 'sluice/components';

export interface WorkerProcess {
  /** The Temporal task queues served, e.g. ["sluice", "sluice-cpu"]. */
  taskQueues: string[];
  /** How many component implementations this worker can run. */
  components: number;
  /** What the worker found at start: machine, GPUs, ML runtimes (formatRuntimeReport prints it). */
  runtime: RuntimeReport;
  /** Stops polling, lets running tasks settle (they are cancelled and retried elsewhere), closes the connections. */
  shutdown(): Promise<void>;
  /** Settles when the workers stop: resolves after shutdown(), rejects when a worker fails. */
  done: Promise<void>;
}

/** A worker could not start: the message says which part and why. */
export class WorkerStartError extends Error {
  override readonly name = 'WorkerStartError';
  readonly code = 'worker-start';
  readonly retryable = false;
}

export async function startWorkerProcess(settings: WorkerSettings, logger: Logger): Promise<WorkerProcess> {
  const closers: (() => Promise<void>)[] = [];
  const closeAll = async (): Promise<void> => {
    for (const close of closers.splice(0).reverse()) {
      await close().catch((e: unknown) => logger.warn({ err: e }, 'error while stopping the worker'));
    }
  };
  try {
    // Components first (a bad --module is the likeliest mistake), then the server, then the database.
    const registry = new ComponentRegistry();
    for (const m of [BUILTIN_COMPONENTS_MODULE, ...settings.modules]) {
      try {
        await registry.importModule(m);
      } catch (e) {
        throw new WorkerStartError(`could not load the components of module "${m}": ${(e as Error).message}`);
      }
    }

    // Then the machine: a gpu worker without a GPU would take GPU tasks it cannot run well.
    const resourceClasses = settings.queues.filter((q): q is ResourceClass => q !== 'control');
    let runtime: RuntimeReport;
    try {
      runtime = await collectRuntimeReport({
        ...(settings.gpus !== undefined ? { setting: settings.gpus, settingName: settings.gpusFrom ?? 'SLUICE_GPUS' } : {}),
        skipMlRuntimes: resourceClasses.length === 0,
      });
    } catch (e) {
      if (e instanceof GpuSettingError) throw new WorkerStartError(e.message);
      throw e;
    }
    if (resourceClasses.includes('gpu') && runtime.gpus.devices.length === 0) {
      throw new WorkerStartError(
        `--queue gpu, but this machine has no GPU for it (${runtime.gpus.reason ?? runtime.gpus.note}): serve --queue cpu instead, or declare the GPUs with --gpus <count> or SLUICE_GPUS=<count>`,
      );
    }

    installQuietRuntime(); // before the first native connection creates the default runtime
    let connection: NativeConnection;
    try {
      connection = await NativeConnection.connect({ address: settings.temporalAddress });
    } catch (e) {
      throw new WorkerStartError(
        `cannot connect to the Temporal server at ${settings.temporalAddress} (TEMPORAL_ADDRESS): ${(e as Error).message}`,
      );
    }
    closers.push(() => connection.close());

    // Migrations run here when the database is new (under an advisory lock: workers may start together).
    const metadata: MetadataStore = await openMetadataStore({ databaseUrl: settings.databaseUrl });
    closers.push(() => metadata.close());
    const artifacts: ArtifactStore = await openArtifactStore({ root: settings.artifactsRoot });

    const workers = await startWorkers({
      connection,
      namespace: settings.namespace,
      taskQueuePrefix: settings.taskQueuePrefix,
      control: settings.queues.includes('control'),
      resourceClasses,
      ...(settings.concurrency !== undefined ? { maxConcurrentTasks: { cpu: settings.concurrency } } : {}),
      gpus: runtime.gpus.devices,
      runtime: runtimeSummary(runtime),
      metadata,
      artifacts,
      registry,
      workRoot: settings.workRoot,
      logger,
      // Command components' MLflow clients track into the API server the deployment names.
      mlflowTracking: () => mlflowTrackingFromEnv(process.env),
    });

    if (settings.queues.includes('control')) {
      // The control worker also repairs run rows whose workflow closed unrecorded (start-up, then periodically).
      const clientConnection = await Connection.connect({ address: settings.temporalAddress });
      closers.push(() => clientConnection.close());
      const client = new Client({ connection: clientConnection, namespace: settings.namespace });
      const reconciler = startRunReconciler({ client, metadata, logger, intervalMs: settings.reconcileIntervalMs });
      closers.push(() => reconciler.stop());
    }

    let stopping: Promise<void> | undefined;
    const done = workers.done.finally(() => (stopping ??= closeAll()));
    return {
      taskQueues: workers.taskQueues,
      components: registry.size,
      runtime,
      shutdown: async () => {
        await workers.shutdown().catch(() => undefined); // a crash is reported through `done`
        stopping ??= closeAll();
        await stopping;
      },
      done: done.then(async () => {
        await stopping;
      }),
    };
  } catch (e) {
    await closeAll();
    throw e;
  }
}
