/**
 * The benchmark stack: the embedded stack (in-memory Temporal dev server, PGlite in a temp dir,
 * Sluice's control and CPU workers) or, with `topology: 'split'`, the production topology of
 * splitStack.ts (three `sluice worker` processes on PostgreSQL); beside it on the same server, a
 * raw Temporal worker in this process for the baseline workflows of bench/raw/workflows.ts.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode, NativeConnection, Worker } from '@temporalio/worker';
import { compile, type AnyPipeline } from 'sluice/dsl';
import { ComponentRegistry, EmbeddedStack, submitRun } from 'sluice/engine';
import { createLogger } from '../../engine/logging';
import type { Client } from '@temporalio/client';
import type { MetadataStore } from '../../engine/stores/metadata/index';
import type { RawActivities } from '../raw/workflows';
import { noop, noopLocal, noopLocalMetrics, noopTrial } from './pipelines';
import { childPids } from './profile';
import { SPLIT_CPU_WORKERS, startSplitStack, type SplitStack } from './splitStack';
import { sendToParent } from './supervise';

/** Sluice's CPU task worker runs 8 activities at once unless told otherwise (engine/temporal/worker/startWorkers.ts). */
export const SLUICE_CPU_CONCURRENCY = 8;
export const RAW_TASK_QUEUE = 'bench-raw';
/**
 * Items a Sluice loop batch runs at once with the default parallelism (1000 over 2 batches of 500:
 * engine/temporal/workflows/loop.ts); `rawFanoutRace` uses the same.
 */
export const LOOP_BATCH_CONCURRENCY = 500;
/** Activities only, for `rawChainSplit`. */
export const RAW_ACTIVITY_QUEUE = 'bench-raw-activities';

const RAW_WORKFLOWS = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'raw', 'workflows.ts');

/** What a benchmark reaches of Sluice, whichever topology runs it. */
export interface BenchServices {
  client: Client;
  metadata: MetadataStore;
  temporalAddress: string;
  taskQueuePrefix: string;
}

export type Topology = 'embedded' | 'split';

export interface BenchStack {
  stack: BenchServices;
  /** The embedded stack (workers in this process); absent with `topology: 'split'`. */
  embedded?: EmbeddedStack;
  /** The worker processes of `topology: 'split'`. */
  split?: SplitStack;
  /** Submits a run and waits for its workflow to close; ms from submit to close. */
  runSluice(
    p: AnyPipeline,
    params?: Record<string, unknown>,
    onSubmitted?: (runId: string) => void,
  ): Promise<{ runId: string; workflowId: string; ms: number; status: string }>;
  /** Runs a raw workflow on the raw worker; ms from start to close. `timeout`: fail the workflow after that long. */
  runRaw(workflow: 'rawChain' | 'rawFanout' | 'rawChainSplit' | 'rawFanoutRace', n: number, timeout?: string): Promise<{ workflowId: string; ms: number }>;
  /** Activities the raw worker runs at once: as many as Sluice's CPU workers together. */
  rawConcurrency: number;
  /** The raw workflows' bundle (for replays); absent without the raw worker. */
  rawBundle?: { code: string };
  stop(): Promise<void>;
}

let rawIds = 0;

export async function startBenchStack(options: { raw: boolean; topology?: Topology }): Promise<BenchStack> {
  // A fresh in-memory dev server unless TEMPORAL_ADDRESS names a server (the real one on PostgreSQL,
  // scripts/temporal-server.sh). Read before the stack sees the environment.
  const external = process.env.TEMPORAL_ADDRESS || undefined;
  delete process.env.TEMPORAL_ADDRESS;
  // On a shared server, queues of their own: no task of an earlier, killed benchmark (or of another
  // benchmark running at the same time) is handed to this one.
  const prefix = external ? `bench-${process.pid}` : 'bench';
  const rawQueue = external ? `${prefix}-raw` : RAW_TASK_QUEUE;
  const rawActivityQueue = external ? `${prefix}-raw-activities` : RAW_ACTIVITY_QUEUE;
  let services: BenchServices;
  let embedded: EmbeddedStack | undefined;
  let split: SplitStack | undefined;
  let dir: string | undefined;
  if (options.topology === 'split') {
    split = await startSplitStack({ ...(external ? { temporalAddress: external } : {}), taskQueuePrefix: prefix });
    services = split;
  } else {
    dir = await mkdtemp(path.join(os.tmpdir(), 'sluice-bench-'));
    const registry = new ComponentRegistry();
    registry.add(noop);
    registry.add(noopLocal);
    registry.add(noopLocalMetrics);
    registry.add(noopTrial);
    embedded = await EmbeddedStack.start({
      stateDir: dir,
      ephemeralTemporal: true,
      ...(external ? { temporalAddress: external } : {}),
      databaseUrl: '',
      registry,
      taskQueuePrefix: prefix,
      logger: createLogger({ level: process.env.SLUICE_LOG_LEVEL ?? 'silent' }),
    });
    services = embedded;
    // The dev server is our one child process: named to the supervisor, which stops it (and removes
    // the state directory) if we die.
    sendToParent({ childPids: await childPids(), tempDirs: [dir] });
  }
  const stack = services;

  const rawWorkers: Worker[] = [];
  let rawDone: Promise<unknown> | undefined;
  let rawConnection: NativeConnection | undefined;
  let rawBundle: { code: string } | undefined;
  // As many activities at once as Sluice's CPU workers together run.
  const rawConcurrency = SLUICE_CPU_CONCURRENCY * (split ? SPLIT_CPU_WORKERS : 1);
  if (options.raw) {
    rawConnection = await NativeConnection.connect({ address: stack.temporalAddress });
    rawBundle = await bundleWorkflowCode({ workflowsPath: RAW_WORKFLOWS, logger: quietLogger });
    const activities: RawActivities = { noop: (x) => Promise.resolve(x + 1) };
    rawWorkers.push(
      await Worker.create({
        connection: rawConnection,
        taskQueue: rawQueue,
        workflowBundle: rawBundle,
        activities,
        maxConcurrentActivityTaskExecutions: rawConcurrency,
      }),
      await Worker.create({
        connection: rawConnection,
        taskQueue: rawActivityQueue,
        activities,
        maxConcurrentActivityTaskExecutions: rawConcurrency,
      }),
    );
    rawDone = Promise.all(rawWorkers.map((w) => w.run()));
  }

  return {
    stack,
    ...(embedded ? { embedded } : {}),
    ...(split ? { split } : {}),
    rawConcurrency,
    ...(rawBundle ? { rawBundle } : {}),
    async runSluice(p, params = {}, onSubmitted) {
      const t0 = performance.now();
      const submitted = await submitRun({ client: stack.client, metadata: stack.metadata, spec: compile(p).spec, params, taskQueuePrefix: stack.taskQueuePrefix });
      onSubmitted?.(submitted.runId);
      await submitted.handle.result().catch(() => undefined);
      const ms = performance.now() - t0;
      const record = await stack.metadata.getRun(submitted.runId);
      return { runId: submitted.runId, workflowId: submitted.workflowId, ms, status: record?.status ?? 'missing' };
    },
    async runRaw(workflow, n, timeout) {
      const workflowId = `raw-${workflow}-${n}-${++rawIds}-${Date.now()}`;
      const t0 = performance.now();
      const args = workflow === 'rawChainSplit' ? [n, rawActivityQueue] : workflow === 'rawFanoutRace' ? [n, LOOP_BATCH_CONCURRENCY] : [n];
      await stack.client.workflow.execute(workflow, { taskQueue: rawQueue, workflowId, args, ...(timeout ? { workflowExecutionTimeout: timeout } : {}) });
      return { workflowId, ms: performance.now() - t0 };
    },
    async stop() {
      for (const w of rawWorkers) if (w.getState() === 'RUNNING') w.shutdown();
      await rawDone;
      await rawConnection?.close();
      await embedded?.stop();
      await split?.stop();
      if (dir) await rm(dir, { recursive: true, force: true });
    },
  };
}

const noopLog = (): void => undefined;
const quietLogger = { trace: noopLog, debug: noopLog, info: noopLog, warn: noopLog, error: noopLog, log: noopLog };

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/** `--name value` from argv, as a positive integer. */
export function intArg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = Number(process.argv[i + 1]);
  if (!Number.isInteger(v) || v <= 0) throw new Error(`--${name} takes a positive integer, got ${process.argv[i + 1] ?? 'nothing'}`);
  return v;
}

/** `--topology embedded|split` (default embedded). */
export function topologyArg(): Topology {
  const i = process.argv.indexOf('--topology');
  if (i < 0) return 'embedded';
  const v = process.argv[i + 1];
  if (v !== 'embedded' && v !== 'split') throw new Error(`--topology takes embedded or split, got ${v ?? 'nothing'}`);
  return v;
}

export function flag(name: string): boolean {
  return process.argv.includes(`--${name}`);
}
