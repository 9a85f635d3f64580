/**
 * Durability in the production topology (issue 17): three `sluice worker` processes — two for the
 * CPU queue and one for the control queue, or for light steps two control workers and one CPU
 * worker — sharing one PostgreSQL database, against one Temporal server. One worker process is
 * SIGKILLed mid-run and nothing is restarted: its twin takes the work over. What must hold: the run
 * succeeds; only the interrupted step runs again, and on the other process; no step Temporal had
 * recorded as finished runs again; the lineage (execution, artifact and event rows) is whole.
 *
 * The server: a dev server of its own persisting to a file (as test/durability/durability.test.ts),
 * or SLUICE_DURABILITY_TEMPORAL=<host:port> (e.g. the real server on PostgreSQL, scripts/temporal-server.sh).
 *
 * SLUICE_DURABILITY_REAL_SERVER=<port> adds a test that crashes the REAL Temporal server (SIGKILL,
 * `bash scripts/temporal-server.sh kill` with SLUICE_TEMPORAL_PORT=<port>) while a step runs and
 * starts it again on the same PostgreSQL databases; the test starts that server itself if it is
 * not running (it builds once: see the script), so give it a port no one else's server is on.
 *
 * Skipped, with the reason printed, where no PostgreSQL is available (scripts/ensure-postgres.sh).
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../engine/paths';
import { queryRunStatus, submitRun, type SubmittedRun } from '../../engine/runs/submitRun';
import type { MetadataStore, RunRecord } from '../../engine/stores/metadata/MetadataStore';
import { openMetadataStore } from '../../engine/stores/metadata/index';
import { DevServer, freePort } from '../../engine/temporal/devServer/DevServer';
import { CHAIN_TASKS } from '../fixtures/durableChain';
import { createTestDatabase, postgresServer } from '../support/postgres';
import { runToEnd, spawnSluice, stopAllProcesses, type ManagedProcess } from '../support/processes';

const FIXTURE = 'test/fixtures/durableChain.ts';
/** The same chain as light steps (execution: 'local'): run by the control workers. */
const LOCAL_FIXTURE = 'test/fixtures/durableLocalChain.ts';
const POLL_MS = 25;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const since = (t0: number): string => `${((Date.now() - t0) / 1000).toFixed(1)} s`;
const run = promisify(execFile);

async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(POLL_MS);
  }
}

const pgServer = postgresServer();
const externalTemporal = process.env.SLUICE_DURABILITY_TEMPORAL || undefined;
const realServerPort = process.env.SLUICE_DURABILITY_REAL_SERVER || undefined;

/** The real Temporal server on `port` through scripts/temporal-server.sh: start (idempotent), kill (SIGKILL). */
async function realServer(command: 'start' | 'kill', port: string): Promise<string> {
  const { stdout } = await run('bash', [path.join(projectRoot, 'scripts', 'temporal-server.sh'), command], {
    env: { ...process.env, SLUICE_TEMPORAL_PORT: port },
    timeout: 20 * 60_000,
  });
  return stdout.trim().split('\n').pop() ?? '';
}

let worlds = 0;

/** One test's world: a Temporal server (its own dev server, or a shared one with queues of its own), a database, processes. */
class World {
  client!: Client;
  connection!: Connection;
  metadata!: MetadataStore;
  db!: pg.Client;
  server: DevServer | undefined;
  address = '';
  databaseUrl = '';
  taskQueuePrefix: string | undefined;
  private dropDb: (() => Promise<void>) | undefined;
  private count = 0;

  private constructor(
    readonly dir: string,
    readonly logDir: string,
    readonly spec: unknown,
    readonly module: string,
  ) {}

  /** `address`: a shared server to run on (queues of this world's own); otherwise a dev server of its own. */
  static async create(spec: unknown, module: string, address?: string): Promise<World> {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'sluice-topology-'));
    const w = new World(dir, path.join(dir, 'log'), spec, module);
    try {
      await mkdir(w.logDir, { recursive: true });
      const database = await createTestDatabase(pgServer.url as string);
      w.dropDb = database.drop;
      w.databaseUrl = database.url;
      if (address) {
        w.address = address;
        w.taskQueuePrefix = `topology-${process.pid}-${++worlds}`;
      } else {
        w.server = await DevServer.start({ port: await freePort(), dbFilename: path.join(dir, 'temporal.db') });
        w.address = w.server.address;
      }
      w.connection = await Connection.connect({ address: w.address });
      w.client = new Client({ connection: w.connection });
      w.metadata = await openMetadataStore({ databaseUrl: database.url });
      w.db = new pg.Client({ connectionString: database.url });
      await w.db.connect();
      return w;
    } catch (e) {
      await w.close();
      throw e;
    }
  }

  private get env(): Record<string, string> {
    return {
      TEMPORAL_ADDRESS: this.address,
      ...(this.taskQueuePrefix ? { SLUICE_TASK_QUEUE_PREFIX: this.taskQueuePrefix } : {}),
      DATABASE_URL: this.databaseUrl,
      SLUICE_HOME: path.join(this.dir, 'home'),
      SLUICE_ARTIFACTS: path.join(this.dir, 'artifacts'),
      SLUICE_CACHE_DIR: path.join(projectRoot, '.sluice', 'cache'),
      SLUICE_LOG_LEVEL: process.env.SLUICE_LOG_LEVEL ?? 'warn',
    };
  }

  /** Starts `sluice worker --queue <queue>` processes at once and waits for their ready lines. */
  async startWorkers(queues: ('control' | 'cpu')[]): Promise<ManagedProcess[]> {
    const started = queues.map((q) => spawnSluice(`${q} worker #${++this.count}`, ['worker', '--queue', q, '--module', this.module], this.env));
    await Promise.all(started.map((p) => p.waitForOutput(/worker ready: queues .*\n/, 120_000)));
    return started;
  }

  submit(): Promise<SubmittedRun> {
    return submitRun({
      client: this.client,
      metadata: this.metadata,
      spec: this.spec,
      params: { logDir: this.logDir },
      ...(this.taskQueuePrefix ? { taskQueuePrefix: this.taskQueuePrefix } : {}),
    });
  }

  async succeededTasks(handle: WorkflowHandle): Promise<string[]> {
    const s = await waitFor('a status answer', () => queryRunStatus(handle), 60_000);
    return Object.entries(s.tasks)
      .filter(([, t]) => t.state === 'succeeded')
      .map(([id]) => id);
  }

  /** "s1 start attempt=1 pid=123" lines of the executions log, parsed. */
  async executionLog(): Promise<{ task: string; what: string; attempt: number; pid: number }[]> {
    const text = await readFile(path.join(this.logDir, 'executions.log'), 'utf8').catch(() => '');
    return text
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const m = /^(\S+) (start|end|aborted) attempt=(\d+) pid=(\d+)$/.exec(line);
        if (!m) throw new Error(`bad log line: ${line}`);
        return { task: m[1] as string, what: m[2] as string, attempt: Number(m[3]), pid: Number(m[4]) };
      });
  }

  async starts(): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    for (const l of await this.executionLog()) if (l.what === 'start') out[l.task] = (out[l.task] ?? 0) + 1;
    return out;
  }

  /** The pid of the process running `task`'s latest attempt, once its execution row says running and it has logged its start. */
  async runningIn(runId: string, task: string): Promise<number> {
    return waitFor(`task ${task} to be running`, async () => {
      const e = await this.metadata.getExecution(`${runId}.${task}`);
      if (e?.status !== 'running') return undefined;
      return (await this.executionLog()).find((l) => l.task === task && l.what === 'start' && l.attempt === e.attempt)?.pid;
    });
  }

  async waitForEnd(submitted: SubmittedRun, timeoutMs = 120_000): Promise<RunRecord> {
    const r = await waitFor(
      `run ${submitted.runId} to finish`,
      async () => {
        const rec = await this.metadata.getRun(submitted.runId);
        return rec && ['succeeded', 'failed', 'cancelled'].includes(rec.status) ? rec : undefined;
      },
      timeoutMs,
    );
    await submitted.handle.result().catch(() => undefined);
    return r;
  }

  /** Every row the run left is there exactly once, and the data went through every step once, in order. */
  async expectIntact(runId: string): Promise<void> {
    const q = async <R extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<R[]> => (await this.db.query<R>(sql, params)).rows;
    const executions = await q<{ id: string; task_id: string; status: string }>('select id, task_id, status from executions where run_id = $1 order by task_id', [runId]);
    expect(executions.map((e) => [e.id, e.status])).toEqual(CHAIN_TASKS.map((t) => [`${runId}.${t}`, 'succeeded']));
    const artifacts = await q<{ id: string; uri: string }>('select id, uri from artifacts order by id');
    expect(artifacts.map((a) => a.id)).toEqual(CHAIN_TASKS.map((t) => `${runId}.${t}.out`));
    const events = await q<{ execution_id: string; artifact_id: string; kind: string; port: string }>(
      'select execution_id, artifact_id, kind, port from events order by execution_id, kind',
    );
    expect(events).toEqual(
      CHAIN_TASKS.flatMap((t, i) => [
        ...(i > 0 ? [{ execution_id: `${runId}.${t}`, artifact_id: `${runId}.${CHAIN_TASKS[i - 1]}.out`, kind: 'input', port: 'prev' }] : []),
        { execution_id: `${runId}.${t}`, artifact_id: `${runId}.${t}.out`, kind: 'output', port: 'out' },
      ]),
    );
    const last = artifacts[artifacts.length - 1] as { uri: string };
    expect((JSON.parse(await readFile(new URL(last.uri), 'utf8')) as { values: number[] }).values).toEqual([1, 2, 3, 4, 5]);
  }

  async close(): Promise<void> {
    await stopAllProcesses();
    await this.metadata?.close().catch(() => undefined);
    await this.db?.end().catch(() => undefined);
    await this.connection?.close().catch(() => undefined);
    await this.server?.stop().catch(() => undefined);
    await this.dropDb?.().catch(() => undefined);
    await rm(this.dir, { recursive: true, force: true });
  }
}

describe.skipIf(!pgServer.url)(`three worker processes (PostgreSQL, ${externalTemporal ? `Temporal server ${externalTemporal}` : 'persisted Temporal dev server'})`, () => {
  let spec: unknown;
  let localSpec: unknown;
  let world: World | undefined;

  beforeAll(async () => {
    // Compiled by the CLI in a child process, as the workers load the fixtures: the digests match.
    const dir = await mkdtemp(path.join(os.tmpdir(), 'sluice-topology-ir-'));
    const compileFixture = async (fixture: string, name: string): Promise<unknown> => {
      const file = path.join(dir, name);
      const r = await runToEnd({ name: 'sluice compile', args: [path.join(projectRoot, 'bin', 'sluice.js'), 'compile', fixture, '-o', file] });
      expect(r.code, r.output).toBe(0);
      return JSON.parse(await readFile(file, 'utf8'));
    };
    [spec, localSpec] = await Promise.all([compileFixture(FIXTURE, 'chain.json'), compileFixture(LOCAL_FIXTURE, 'local-chain.json')]);
    await rm(dir, { recursive: true, force: true });
  });

  afterEach(async () => {
    await world?.close();
    world = undefined;
  });

  afterAll(async () => {
    await stopAllProcesses();
  });

  it('a SIGKILLed CPU worker process: the other one takes its step over, and no finished step runs again', async () => {
    const w = (world = await World.create(spec, FIXTURE, externalTemporal));
    const t0 = Date.now();
    const [, ...cpus] = await w.startWorkers(['control', 'cpu', 'cpu']);
    console.log(`3 worker processes ready after ${since(t0)}`);
    const submitted = await w.submit();
    const { runId, handle } = submitted;
    const processOf = (pid: number): ManagedProcess => {
      const p = cpus.find((c) => c.pid === pid);
      if (!p) throw new Error(`no CPU worker has pid ${pid}`);
      return p;
    };

    // Inside s2 its process dies; nothing is started in its place.
    const s2pid = await w.runningIn(runId, 's2');
    const survivor = cpus.find((c) => c.pid !== s2pid);
    await processOf(s2pid).kill('SIGKILL');
    const finishedAtKill = await w.succeededTasks(handle);
    console.log(`${since(t0)}: killed the CPU worker (pid ${s2pid}) inside s2; finished then: [${finishedAtKill.join(', ')}]`);
    expect(finishedAtKill).toEqual(['s1']);

    const record = await w.waitForEnd(submitted);
    const log = await w.executionLog();
    console.log(`run ${runId} ${record.status} after ${since(t0)}; executions per task: ${JSON.stringify(await w.starts())}`);
    expect(record.status, record.error ?? '').toBe('succeeded');
    expect(record.outputs).toEqual({ out: `${runId}.s5.out` });
    await w.expectIntact(runId);
    // Only the interrupted step ran again (attempt 2), on the survivor, once the heartbeat timeout
    // (2 s) had passed; the survivor ran the rest, and s1, finished before the kill, ran once.
    expect(await w.starts()).toEqual({ s1: 1, s2: 2, s3: 1, s4: 1, s5: 1 });
    expect(log.filter((l) => l.what === 'end').map((l) => [l.task, l.attempt])).toEqual([
      ['s1', 1],
      ['s2', 2],
      ['s3', 1],
      ['s4', 1],
      ['s5', 1],
    ]);
    expect(new Set(log.filter((l) => l.task !== 's1' && !(l.task === 's2' && l.attempt === 1)).map((l) => l.pid))).toEqual(new Set([survivor?.pid]));
    const attempts = Object.fromEntries((await w.metadata.listExecutions(runId)).map((e) => [e.taskId, e.attempt]));
    expect(attempts).toEqual({ s1: 1, s2: 2, s3: 1, s4: 1, s5: 1 });
  }, 300_000);

  it('light steps: a SIGKILLed control worker process mid-step: the other control worker finishes the run, and no finished step runs again', async () => {
    const w = (world = await World.create(localSpec, LOCAL_FIXTURE, externalTemporal));
    const t0 = Date.now();
    const controls = await w.startWorkers(['control', 'control', 'cpu']).then((ps) => ps.slice(0, 2));
    console.log(`3 worker processes ready after ${since(t0)}`);
    const submitted = await w.submit();
    const { runId } = submitted;

    const s3pid = await w.runningIn(runId, 's3');
    const victim = controls.find((c) => c.pid === s3pid);
    expect(victim, `s3 runs in pid ${s3pid}, not in a control worker`).toBeDefined();
    await victim?.kill('SIGKILL');
    const startsAtKill = await w.starts();
    console.log(`${since(t0)}: killed the control worker (pid ${s3pid}) inside s3; starts then: ${JSON.stringify(startsAtKill)}`);
    expect(startsAtKill).toEqual({ s1: 1, s2: 1, s3: 1 });

    const record = await w.waitForEnd(submitted);
    const starts = await w.starts();
    console.log(`run ${runId} ${record.status} after ${since(t0)}; executions per task: ${JSON.stringify(starts)}`);
    expect(record.status, record.error ?? '').toBe('succeeded');
    expect(record.outputs).toEqual({ out: `${runId}.s5.out` });
    await w.expectIntact(runId);
    // The steps the dead worker had finished are answered from their execution rows, not run again.
    expect(starts).toEqual({ s1: 1, s2: 1, s3: 2, s4: 1, s5: 1 });
    const log = await w.executionLog();
    expect(log.filter((l) => l.task !== 's1' && l.task !== 's2' && l.what === 'end').map((l) => l.pid)).not.toContain(s3pid);
  }, 300_000);

  it.skipIf(!realServerPort)(`a crash of the real Temporal server (port ${realServerPort ?? '-'}) mid-step: restarted, the run finishes and nothing finished runs again`, async () => {
    const port = realServerPort as string;
    const address = await realServer('start', port);
    const w = (world = await World.create(spec, FIXTURE, address));
    const t0 = Date.now();
    const workers = await w.startWorkers(['control', 'cpu', 'cpu']);
    const submitted = await w.submit();
    const { runId, handle } = submitted;

    await w.runningIn(runId, 's3');
    expect(await w.succeededTasks(handle)).toEqual(['s1', 's2']);
    const startsBefore = await w.starts();
    await realServer('kill', port);
    console.log(`${since(t0)}: SIGKILLed the real Temporal server while s3 runs`);
    // Down until s3's component has finished (its completion cannot be reported) and past its heartbeat timeout.
    await waitFor('s3 to finish its work while the server is down', async () => (await w.executionLog()).some((l) => l.task === 's3' && l.what === 'end'));
    await sleep(2_500);
    await realServer('start', port);
    console.log(`${since(t0)}: the real Temporal server is back on ${address}`);

    const record = await w.waitForEnd(submitted, 240_000);
    const starts = await w.starts();
    console.log(`run ${runId} ${record.status} after ${since(t0)}; executions per task: ${JSON.stringify(starts)}`);
    expect(record.status, record.error ?? '').toBe('succeeded');
    await w.expectIntact(runId);
    expect(starts.s1).toBe(startsBefore.s1);
    expect(starts.s2).toBe(startsBefore.s2);
    expect([1, 2]).toContain(starts.s3);
    expect(starts.s4).toBe(1);
    expect(starts.s5).toBe(1);
    // The workers rode the outage out.
    for (const p of workers) expect(p.running, `${p.name} output:\n${p.output}`).toBe(true);
  }, 420_000);
});
