/**
 * The embedded stack: everything Sluice needs in one process tree — the Temporal dev server (child
 * process, state in `.sluice/temporal.db`), the metadata store (PGlite in `.sluice/db`, or
 * PostgreSQL via DATABASE_URL), the local artifact store and the workers.
 */
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import type { ArtifactStore } from '../stores/artifacts/index';
import { openArtifactStore } from '../stores/artifacts/index';
import { createLogger, type Logger } from '../logging';
import type { MetadataStore } from '../stores/metadata/index';
import { openMetadataStore } from '../stores/metadata/index';
import { stateDir as defaultStateDir } from '../paths';
import { DevServer } from '../temporal/devServer/index';
import type { WorkerRuntime } from '../temporal/worker/index';
import { installQuietRuntime, startWorkers, type ResourceClass, type RunningWorkers } from '../temporal/worker/index';
import { DEFAULT_TASK_QUEUE_PREFIX, reconcileIntervalFromEnv, startRunReconciler, type RunReconciler } from '../runs/index';
import { annotateStateOwner, lockStateDir } from './stateLock';
import { ComponentRegistry, type GpuDevice, type MlflowTracking } from '../temporal/activities/index';

export interface EmbeddedStackOptions {
  /** Local state; default `$SLUICE_HOME` or `./.sluice`. */
  stateDir?: string;
  /** Use this Temporal server instead of starting the dev server (default: $TEMPORAL_ADDRESS). */
  temporalAddress?: string;
  /** PostgreSQL URL instead of PGlite (default: $DATABASE_URL). */
  databaseUrl?: string;
  /** Keep the Temporal dev server in memory (tests). */
  ephemeralTemporal?: boolean;
  /** Serve the dev server's Web UI (on a free port): `temporalUiUrl` says where. Not with an external Temporal. */
  temporalUi?: boolean;
  taskQueuePrefix?: string;
  /** Worker task queues to serve in this process (default cpu). */
  resourceClasses?: ResourceClass[];
  /** GPUs of the gpu worker (with resourceClasses ['cpu', 'gpu']), and what the workers report. */
  gpus?: GpuDevice[];
  runtime?: WorkerRuntime;
  /** Where command components' MLflow clients track (the API server, once it listens). */
  mlflowTracking?: () => MlflowTracking | undefined;
  /** Registry to run components from (default: an empty one; add modules before running). */
  registry?: ComponentRegistry;
  logger?: Logger;
  /**
   * The run reconciler (engine/runs/reconcileRuns.ts): a pass at start-up, then every
   * `intervalMs` (default $SLUICE_RECONCILE_INTERVAL_MS or one minute; 0: start-up only).
   * false: none (tests that must see what the workflow alone writes).
   */
  reconcile?: { intervalMs?: number } | false;
}

export class EmbeddedStack {
  private constructor(
    readonly stateDir: string,
    readonly client: Client,
    readonly metadata: MetadataStore,
    readonly artifacts: ArtifactStore,
    readonly registry: ComponentRegistry,
    readonly workers: RunningWorkers,
    readonly temporalAddress: string,
    /** The Temporal Web UI (`sluice dev --temporal-ui`); undefined when not served. */
    readonly temporalUiUrl: string | undefined,
    readonly taskQueuePrefix: string,
    /** Absent when started with `reconcile: false`. */
    readonly reconciler: RunReconciler | undefined,
    private readonly closers: (() => Promise<void>)[],
  ) {}

  static async start(options: EmbeddedStackOptions = {}): Promise<EmbeddedStack> {
    const dir = path.resolve(options.stateDir ?? defaultStateDir());
    const logger = options.logger ?? createLogger({ level: process.env.SLUICE_LOG_LEVEL ?? 'warn' });
    const closers: (() => Promise<void>)[] = [];
    const closeAll = async (): Promise<void> => {
      for (const close of closers.splice(0).reverse()) {
        await close().catch((e: unknown) => logger.warn({ err: e }, 'error while stopping the stack'));
      }
    };
    try {
      closers.push(await lockStateDir(dir, 'embedded stack'));

      const databaseUrl = options.databaseUrl ?? process.env.DATABASE_URL;
      const metadata = await openMetadataStore(databaseUrl ? { databaseUrl } : { dataDir: path.join(dir, 'db') });
      closers.push(() => metadata.close());
      const artifacts = await openArtifactStore({ root: path.join(dir, 'artifacts') });

      let address = options.temporalAddress ?? process.env.TEMPORAL_ADDRESS;
      let temporalUiUrl: string | undefined;
      if (!address) {
        const server = await DevServer.start({
          ...(options.ephemeralTemporal ? {} : { dbFilename: path.join(dir, 'temporal.db') }),
          ...(options.temporalUi ? { ui: true } : {}),
        });
        closers.push(() => server.stop());
        address = server.address;
        temporalUiUrl = server.uiUrl;
      }
      const connection = await Connection.connect({ address });
      closers.push(() => connection.close());
      const client = new Client({ connection });
      installQuietRuntime(); // before the first native connection creates the default runtime
      const nativeConnection = await NativeConnection.connect({ address });
      closers.push(() => nativeConnection.close());

      const registry = options.registry ?? new ComponentRegistry();
      const taskQueuePrefix = options.taskQueuePrefix ?? DEFAULT_TASK_QUEUE_PREFIX;
      const workers = await startWorkers({
        connection: nativeConnection,
        taskQueuePrefix,
        resourceClasses: options.resourceClasses ?? ['cpu'],
        ...(options.gpus ? { gpus: options.gpus } : {}),
        ...(options.runtime ? { runtime: options.runtime } : {}),
        metadata,
        artifacts,
        registry,
        workRoot: path.join(dir, 'work'),
        logger,
        ...(options.mlflowTracking ? { mlflowTracking: options.mlflowTracking } : {}),
      });
      closers.push(() => workers.shutdown());
      let reconciler: RunReconciler | undefined;
      if (options.reconcile !== false) {
        // Runs whose workflow closed while no process of ours recorded it (a restart does not heal them otherwise).
        reconciler = startRunReconciler({ client, metadata, logger, intervalMs: options.reconcile?.intervalMs ?? reconcileIntervalFromEnv() });
        closers.push(() => reconciler?.stop() ?? Promise.resolve());
      }
      await annotateStateOwner(dir, { temporalAddress: address, taskQueuePrefix });
      return new EmbeddedStack(dir, client, metadata, artifacts, registry, workers, address, temporalUiUrl, taskQueuePrefix, reconciler, closers);
    } catch (e) {
      await closeAll();
      throw e;
    }
  }

  /** Stops workers, connections, the dev server and the stores, newest first. */
  async stop(): Promise<void> {
    for (const close of this.closers.splice(0).reverse()) await close();
  }
}
