/**
 * `npx tsx --conditions=sluice-source bench/stepCost.ts`: what ONE light step costs inside the worker, without Temporal: N
 * sequential `executeTask` calls in a mocked local-activity context (`isLocal`, as a light step or
 * a fused chain's step runs), on PGlite (in memory) and, with SLUICE_TEST_DATABASE_URL or
 * DATABASE_URL set, on PostgreSQL. For each store: ms per call and database statements per call,
 * with caching off (the bench's no-op), a cache miss and a cache hit, and with a
 * store that does nothing (what is left is executeTask's own CPU). This process's CPU per call is
 * printed too (PGlite runs in it): on a loaded machine it is steadier than wall time. Profile it with
 * `node --cpu-prof --import tsx --conditions=sluice-source bench/stepCost.ts`.
 *
 * Flags: --calls N (300), --reps R (3; the median counts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { PGlite } from '@electric-sql/pglite';
import { MockActivityEnvironment } from '@temporalio/testing';
import pg from 'pg';
import { pino } from 'pino';
import type { AnyComponent } from '../dsl/index';
import type { ComponentSpec } from '../dsl/ir/schema';
import { LocalArtifactStore } from '../engine/stores/artifacts/LocalArtifactStore';
import type { MetadataStore } from '../engine/stores/metadata/MetadataStore';
import { createPgliteMetadataStore, createPostgresMetadataStore } from '../engine/stores/metadata/openMetadataStore';
import { createExecuteTask } from '../engine/temporal/activities/executeTask';
import type { ExecuteTaskInput } from '../engine/temporal/workflows/types';
import { intArg, median } from './support/stack';

const calls = intArg('calls', 300);
const reps = intArg('reps', 3);
const f2 = (x: number): string => x.toFixed(2);
const load = (): string => os.loadavg().map((x) => x.toFixed(2)).join(' ');

const spec: ComponentSpec = {
  name: 'bench-noop-local',
  version: '1',
  inputs: { x: { kind: 'parameter', type: 'int' } },
  outputs: { y: { kind: 'parameter', type: 'int' } },
  impl: { kind: 'function', digest: 'b'.repeat(64) },
};
const noop = { spec, run: ({ x }: { x: number }) => ({ y: x + 1 }) } as unknown as AnyComponent;

/** A metadata store whose every method resolves at once with as little as executeTask needs. */
const nullStore = new Proxy({} as MetadataStore, {
  get: (_target, name) => (arg: { attempt?: number; params?: object }) =>
    Promise.resolve(
      name === 'startExecution'
        ? { status: 'running', attempt: arg.attempt ?? 1 }
        : name === 'beginExecution'
        ? { started: true, cached: undefined, execution: { status: 'running', attempt: arg.attempt ?? 1, params: arg.params, startedAt: new Date() } }
        : name === 'recordFinishedExecution'
          ? { written: true, outputs: {} }
          : name === 'completeExecution'
            ? {}
            : undefined,
    ),
});

interface Counted {
  store: MetadataStore;
  statements: () => number;
  close: () => Promise<void>;
}

/** A PGlite-backed store whose client counts the statements it is sent. */
async function pgliteStore(): Promise<Counted> {
  const client = new PGlite();
  let n = 0;
  const count = <T extends object>(target: T): T => {
    // execProtocol: the store's per-step statements on PGlite (prepared; a Bind first executes one).
    for (const name of ['query', 'exec', 'execProtocol'] as const) {
      const original = (target as Record<string, unknown>)[name] as ((...a: unknown[]) => unknown) | undefined;
      if (!original) continue;
      (target as Record<string, unknown>)[name] = (...a: unknown[]) => {
        if (name !== 'execProtocol' || (a[0] as Uint8Array)[0] === 0x42) n++;
        return original.apply(target, a);
      };
    }
    return target;
  };
  count(client);
  const transaction = client.transaction.bind(client);
  (client as { transaction: unknown }).transaction = (fn: (tx: object) => Promise<unknown>) => transaction((tx) => fn(count(tx)));
  const store = createPgliteMetadataStore(client);
  await store.migrate();
  return { store, statements: () => n, close: () => store.close() };
}

async function postgresStore(url: string): Promise<Counted> {
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  let n = 0;
  pool.on('connect', (c) => {
    const original = c.query.bind(c) as (...a: unknown[]) => unknown;
    (c as { query: unknown }).query = (...a: unknown[]) => {
      n++;
      return original(...a);
    };
  });
  const store = createPostgresMetadataStore(pool);
  await store.migrate();
  return { store, statements: () => n, close: () => store.close() };
}

async function newRun(store: MetadataStore, tag: string): Promise<string> {
  const name = `bench-step-cost-${tag}-${Date.now()}`;
  const version = await store.registerPipelineVersion({ apiVersion: 'sluice/v1', name, inputs: {}, outputs: {}, components: {}, dag: { tasks: {} } }, name);
  const id = `stepcost-${tag}-${Date.now()}`;
  await store.createRun({ id, pipelineVersionId: version.id, params: {}, trigger: {}, workflowId: `wf-${id}` });
  return id;
}

async function measure(label: string, store: MetadataStore, statements: () => number, dir: string): Promise<void> {
  const quiet = pino({ level: 'silent' }, new Writable({ write: (_c, _e, done) => done() }));
  const executeTask = createExecuteTask({
    metadata: store,
    artifacts: new LocalArtifactStore({ root: path.join(dir, 'artifacts') }),
    registry: { resolve: () => Promise.resolve(noop) },
    workRoot: path.join(dir, 'work'),
    logger: quiet,
  });
  const env = new MockActivityEnvironment({ attempt: 1, isLocal: true }, { logger: { log: () => {}, trace: () => {}, debug: () => {}, info: () => {}, warn: () => {}, error: () => {} } });
  const isNull = store === nullStore;
  const salt = Date.now() % 1_000_000_000;
  for (const [cache, hit] of [[false, false], [true, false], [true, true]] as const) {
    const ms: number[] = [];
    const cpu: number[] = [];
    const st: number[] = [];
    for (let r = 0; r < reps; r++) {
      const runId = isNull ? 'null' : await newRun(store, `${label}-${cache}-${hit}-${r}`.replace(/\W/g, ''));
      const input = (i: number): ExecuteTaskInput => ({
        runId,
        taskId: `t${i}`,
        component: spec,
        // Fresh values (a miss), or (hit) the values of the cache-on pass before.
        inputs: { x: { kind: 'parameter', value: salt + r * 1_000_000 + i + (cache ? 500_000 : 0) } },
        cache: { enabled: cache },
      });
      for (let i = 0; i < 10; i++) await env.run(executeTask, input(i)); // warm-up
      const s0 = statements();
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      for (let i = 10; i < calls + 10; i++) await env.run(executeTask, input(i));
      ms.push((performance.now() - t0) / calls);
      const c = process.cpuUsage(c0);
      cpu.push((c.user + c.system) / 1000 / calls);
      st.push((statements() - s0) / calls);
    }
    console.log(`  ${label.padEnd(10)} ${cache ? (hit ? 'cache hit ' : 'cache miss') : 'cache off '}: ${f2(median(ms))} ms/call (${ms.map(f2).join(' / ')}), this process's CPU ${f2(median(cpu))} ms/call, ${f2(median(st))} statements/call`);
  }
}

async function main(): Promise<void> {
  console.log(`executeTask per light step — ${new Date().toISOString()} — ${calls} calls × ${reps}; load average ${load()}`);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sluice-step-cost-'));
  try {
    await measure('no store', nullStore, () => 0, dir);
    const lite = await pgliteStore();
    try {
      await measure('PGlite', lite.store, lite.statements, dir);
    } finally {
      await lite.close();
    }
    const url = process.env.SLUICE_TEST_DATABASE_URL ?? process.env.DATABASE_URL;
    if (url) {
      const pgs = await postgresStore(url);
      try {
        await measure('PostgreSQL', pgs.store, pgs.statements, dir);
      } finally {
        await pgs.close();
      }
    } else console.log('  (PostgreSQL: set SLUICE_TEST_DATABASE_URL to measure it too)');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(`load average after: ${load()}`);
}

void main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
