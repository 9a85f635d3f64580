/**
 * The production topology for benchmarks (issue 17): three `sluice worker` processes — one for the
 * control queue (workflows, run bookkeeping, light steps) and two for the CPU queue — started with
 * the real CLI, sharing one PostgreSQL database for metadata and one artifact directory, against a
 * Temporal server: $TEMPORAL_ADDRESS (the real server, scripts/temporal-server.sh) or an in-memory
 * dev server of its own. The benchmark process only submits runs and reads results, as the API
 * server would.
 *
 * Every worker is a child of this process: a normal stop sends SIGTERM and waits; the supervising
 * parent (supervise.ts) is told their pids and kills them if this process dies; and
 * test/support/processes.ts SIGKILLs any still running when this process exits.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { projectRoot } from '../../engine/paths';
import { openMetadataStore, type MetadataStore } from '../../engine/stores/metadata/index';
import { DevServer } from '../../engine/temporal/devServer/index';
import { installQuietRuntime } from '../../engine/temporal/worker/index';
import { createTestDatabase, postgresServer } from '../../test/support/postgres';
import { spawnSluice, type ManagedProcess } from '../../test/support/processes';
import { sendToParent } from './supervise';

/** The module with the benchmark's components, loaded by every worker (`--module`). */
const COMPONENTS_MODULE = 'bench/support/pipelines.ts';
export const SPLIT_CPU_WORKERS = 2;

export interface SplitStack {
  client: Client;
  metadata: MetadataStore;
  temporalAddress: string;
  taskQueuePrefix: string;
  /** control, cpu #1, cpu #2. */
  workers: ManagedProcess[];
  /** One line: the processes and where they point. */
  describe(): string;
  stop(): Promise<void>;
}

export async function startSplitStack(options: { temporalAddress?: string; taskQueuePrefix: string }): Promise<SplitStack> {
  const pgServer = postgresServer();
  if (!pgServer.url) throw new Error(`--topology split needs PostgreSQL (bash scripts/ensure-postgres.sh): ${pgServer.reason ?? 'none found'}`);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'sluice-bench-split-'));
  const closers: (() => Promise<unknown>)[] = [() => rm(dir, { recursive: true, force: true })];
  const closeAll = async (): Promise<void> => {
    for (const close of closers.reverse()) await close().catch((e: unknown) => console.error(`while stopping the split stack: ${(e as Error).message}`));
  };
  try {
    const database = await createTestDatabase(pgServer.url);
    closers.push(database.drop);
    sendToParent({ tempDirs: [dir] });
    let address = options.temporalAddress;
    if (!address) {
      // In memory, like the embedded stack's: only the workers' topology differs.
      const server = await DevServer.start({});
      closers.push(() => server.stop());
      address = server.address;
      sendToParent({ childPids: [server.pid] });
    }
    // Opened first: it migrates the fresh database before any worker connects to it.
    const metadata = await openMetadataStore({ databaseUrl: database.url });
    closers.push(() => metadata.close());
    const connection = await Connection.connect({ address });
    closers.push(() => connection.close());
    const client = new Client({ connection });
    // The raw worker in this process logs as the embedded stack's workers do: warnings only.
    installQuietRuntime();

    const env = {
      TEMPORAL_ADDRESS: address,
      SLUICE_TASK_QUEUE_PREFIX: options.taskQueuePrefix,
      DATABASE_URL: database.url,
      SLUICE_HOME: path.join(dir, 'home'),
      SLUICE_ARTIFACTS: path.join(dir, 'artifacts'),
      // The workflow bundle cache the other commands use (bundling takes seconds).
      SLUICE_CACHE_DIR: path.join(projectRoot, '.sluice', 'cache'),
      SLUICE_LOG_LEVEL: process.env.SLUICE_LOG_LEVEL ?? 'warn',
    };
    const workers: ManagedProcess[] = [];
    closers.push(async () => {
      // SIGTERM (running tasks handed back), SIGKILL after 15 s for any that hang.
      await Promise.all(workers.map((w) => w.stop(15_000)));
    });
    const start = (name: string, queue: 'control' | 'cpu'): ManagedProcess => {
      const p = spawnSluice(name, ['worker', '--queue', queue, '--module', COMPONENTS_MODULE], env);
      workers.push(p);
      if (p.pid) sendToParent({ childPids: [p.pid] });
      return p;
    };
    const started = [start('control worker', 'control'), ...Array.from({ length: SPLIT_CPU_WORKERS }, (_, i) => start(`cpu worker #${i + 1}`, 'cpu'))];
    await Promise.all(started.map((p) => p.waitForOutput(/worker ready: queues .*\n/, 180_000)));

    return {
      client,
      metadata,
      temporalAddress: address,
      taskQueuePrefix: options.taskQueuePrefix,
      workers,
      describe: () =>
        `3 worker processes (\`sluice worker --queue control\`, \`sluice worker --queue cpu\` ×${SPLIT_CPU_WORKERS}, pids ${workers.map((w) => w.pid).join(', ')}), ` +
        `metadata on PostgreSQL (${new URL(database.url).pathname.slice(1)}), artifacts in ${path.join(dir, 'artifacts')}`,
      stop: closeAll,
    };
  } catch (e) {
    await closeAll();
    throw e;
  }
}
