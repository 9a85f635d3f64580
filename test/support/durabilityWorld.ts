/**
 * The world of one durability test (test/durability): a Temporal server — a dev server of its own
 * persisting to a file, so that a test can kill and restart it on the same port and db file, or a
 * shared one (SLUICE_DURABILITY_TEMPORAL, or an address given) with task queues of this world's
 * own — a fresh PostgreSQL database, state dirs, and `sluice worker` processes the test kills.
 *
 * The durable chain fixtures append "s1 start attempt=1 pid=123" lines to an executions log, so a
 * test can tell which steps really ran, how often, and in which process.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import pg from 'pg';
import { expect } from 'vitest';
import { projectRoot } from '../../engine/paths';
import { queryRunStatus, submitRun, type SubmittedRun } from '../../engine/runs/submitRun';
import type { MetadataStore, RunRecord } from '../../engine/stores/metadata/MetadataStore';
import { openMetadataStore } from '../../engine/stores/metadata/index';
import { DevServer, freePort } from '../../engine/temporal/devServer/DevServer';
import type { RunStatusView } from '../../engine/temporal/workflows/types';
import { CHAIN_TASKS } from '../fixtures/durableChain';
import { createTestDatabase, postgresServer } from './postgres';
import { spawnSluice, stopAllProcesses, type ManagedProcess } from './processes';

/** The chain of five ~1 s steps (2 s heartbeat timeout) the CPU worker runs by default. */
export const CHAIN_FIXTURE = 'test/fixtures/durableChain.ts';
const POLL_MS = 25;

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
export const since = (t0: number): string => `${((Date.now() - t0) / 1000).toFixed(1)} s`;

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(POLL_MS);
  }
}

/** The PostgreSQL server the durability tests need (they are skipped where there is none). */
export const pgServer = postgresServer();
/** An external Temporal server to run against instead of a dev server per world. */
export const externalTemporal = process.env.SLUICE_DURABILITY_TEMPORAL || undefined;

export interface DurabilityWorldOptions {
  /** Names the temp dir and the task queues on a shared server ("durability", "topology"). */
  name?: string;
  /** The module the CPU workers load (default: the durable chain). */
  taskModule?: string;
  /** Set for a pipeline of light steps: the control workers run them, so they load this module. */
  localModule?: string;
  /** A shared Temporal server (default: SLUICE_DURABILITY_TEMPORAL, else a dev server of this world's own). */
  address?: string;
}

let worlds = 0;

export class DurabilityWorld {
  client!: Client;
  connection!: Connection;
  metadata!: MetadataStore;
  db!: pg.Client;
  /** This world's own dev server; unset on a shared server. */
  server!: DevServer;
  /** On a shared server: queues no earlier world's leftovers are on. */
  taskQueuePrefix: string | undefined;
  databaseUrl = '';
  /** More environment for the workers started from now on (e.g. the model server's URL). */
  readonly workerEnv: Record<string, string> = {};
  private sharedAddress: string | undefined;
  private dropDb: (() => Promise<void>) | undefined;
  private workerCount = 0;

  private constructor(
    readonly dir: string,
    readonly logDir: string,
    readonly spec: unknown,
    readonly taskModule: string,
    readonly localModule: string | undefined,
  ) {}

  static async create(spec: unknown, options: DurabilityWorldOptions = {}): Promise<DurabilityWorld> {
    const name = options.name ?? 'durability';
    const dir = await mkdtemp(path.join(os.tmpdir(), `sluice-${name}-`));
    const w = new DurabilityWorld(dir, path.join(dir, 'log'), spec, options.taskModule ?? CHAIN_FIXTURE, options.localModule);
    try {
      await mkdir(w.logDir, { recursive: true });
      const database = await createTestDatabase(pgServer.url as string);
      w.dropDb = database.drop;
      w.databaseUrl = database.url;
      w.sharedAddress = options.address ?? externalTemporal;
      if (w.sharedAddress) w.taskQueuePrefix = `${name}-${process.pid}-${++worlds}`;
      // A fixed port and a db file: what a restart needs to bring the same server back.
      else w.server = await DevServer.start({ port: await freePort(), dbFilename: path.join(dir, 'temporal.db') });
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

  get address(): string {
    return this.sharedAddress ?? this.server.address;
  }

  get env(): Record<string, string> {
    return {
      TEMPORAL_ADDRESS: this.address,
      ...(this.taskQueuePrefix ? { SLUICE_TASK_QUEUE_PREFIX: this.taskQueuePrefix } : {}),
      DATABASE_URL: this.databaseUrl,
      SLUICE_HOME: path.join(this.dir, 'home'),
      SLUICE_ARTIFACTS: path.join(this.dir, 'artifacts'),
      // Share the workflow bundle cache with the other tests (bundling takes seconds).
      SLUICE_CACHE_DIR: path.join(projectRoot, '.sluice', 'cache'),
      SLUICE_LOG_LEVEL: process.env.SLUICE_LOG_LEVEL ?? 'warn',
      ...this.workerEnv,
    };
  }

  private spawnWorker(queues: ('control' | 'cpu')[]): ManagedProcess {
    const args = ['worker', ...queues.flatMap((q) => ['--queue', q])];
    if (queues.includes('cpu')) args.push('--module', this.taskModule);
    else if (this.localModule) args.push('--module', this.localModule);
    return spawnSluice(`${queues.join('+')} worker #${++this.workerCount}`, args, this.env);
  }

  /** Starts one `sluice worker` process for these queues and waits for its ready line. */
  async startWorker(queues: ('control' | 'cpu')[]): Promise<ManagedProcess> {
    const p = this.spawnWorker(queues);
    await p.waitForOutput(/worker ready: queues .*\n/, 90_000);
    return p;
  }

  /** Starts one `sluice worker --queue <queue>` process per entry at once and waits for their ready lines. */
  async startWorkers(queues: ('control' | 'cpu')[]): Promise<ManagedProcess[]> {
    const started = queues.map((q) => this.spawnWorker([q]));
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

  /** The workflow's own view (answered by the control worker); undefined while it cannot answer. */
  status(handle: WorkflowHandle): Promise<RunStatusView | undefined> {
    return queryRunStatus(handle);
  }

  async succeededTasks(handle: WorkflowHandle): Promise<string[]> {
    const s = await waitFor('a status answer', () => this.status(handle), 60_000);
    return Object.entries(s.tasks)
      .filter(([, t]) => t.state === 'succeeded')
      .map(([id]) => id);
  }

  /**
   * The pid of the process running the task's latest attempt, once its execution row says running
   * and the component has logged its start for that attempt (the row is written a moment before).
   */
  async runningIn(runId: string, taskId: string): Promise<number> {
    return waitFor(`task ${taskId} to be running`, async () => {
      const e = await this.metadata.getExecution(`${runId}.${taskId}`);
      if (e?.status !== 'running') return undefined;
      return (await this.executionLog()).find((l) => l.task === taskId && l.what === 'start' && l.attempt === e.attempt)?.pid;
    });
  }

  /**
   * Holds a chain or trial step (`taskId`, or 'all' of them) running past its `ms` until the
   * returned release is called (test/fixtures/durableStepTiming.ts): a kill meant to land inside a step then does,
   * however loaded the machine.
   */
  async hold(taskId: string): Promise<() => Promise<void>> {
    const file = path.join(this.logDir, `hold-${taskId}`);
    await writeFile(file, '');
    return () => rm(file, { force: true });
  }

  /** "s1 start attempt=1 pid=123" lines of the executions log, parsed. */
  async executionLog(): Promise<{ task: string; what: string; attempt: number; pid: number }[]> {
    const text = await readFile(path.join(this.logDir, 'executions.log'), 'utf8').catch(() => '');
    return text
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const m = /^(\S+) (start|end|aborted|waiting) attempt=(\d+) pid=(\d+)$/.exec(line);
        if (!m) throw new Error(`bad log line: ${line}`);
        return { task: m[1] as string, what: m[2] as string, attempt: Number(m[3]), pid: Number(m[4]) };
      });
  }

  /** A task's log lines as "start 1", "end 2", … */
  async linesOf(task: string): Promise<string[]> {
    return (await this.executionLog()).filter((l) => l.task === task).map((l) => `${l.what} ${l.attempt}`);
  }

  async starts(): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    for (const l of await this.executionLog()) if (l.what === 'start') out[l.task] = (out[l.task] ?? 0) + 1;
    return out;
  }

  /** Waits for the run to reach a final state in the metadata store, then for the workflow to close. */
  async waitForEnd(submitted: SubmittedRun, timeoutMs = 120_000): Promise<RunRecord> {
    const run = await waitFor(
      `run ${submitted.runId} to finish`,
      async () => {
        const r = await this.metadata.getRun(submitted.runId);
        return r && ['succeeded', 'failed', 'cancelled'].includes(r.status) ? r : undefined;
      },
      timeoutMs,
    );
    await submitted.handle.result().catch(() => undefined);
    return run;
  }

  /** Every row the run left in the metadata store is there exactly once, and the data went through every step once, in order. */
  async expectIntact(runId: string, tasks: readonly string[] = CHAIN_TASKS): Promise<void> {
    const q = async <R extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<R[]> =>
      (await this.db.query<R>(sql, params)).rows;

    const executions = await q<{ id: string; task_id: string; status: string; attempt: number }>(
      'select id, task_id, status, attempt from executions where run_id = $1 order by task_id',
      [runId],
    );
    expect(executions.map((e) => e.task_id)).toEqual([...tasks].sort());
    for (const e of executions) {
      expect(e.id).toBe(`${runId}.${e.task_id}`);
      expect(e.status).toBe('succeeded');
    }
    // A fresh database: every artifact and event belongs to this run.
    const artifacts = await q<{ id: string; name: string; uri: string }>('select id, name, uri from artifacts order by id');
    expect(artifacts.map((a) => a.id)).toEqual(tasks.map((t) => `${runId}.${t}.out`).sort());
    expect(new Set(artifacts.map((a) => a.name)).size).toBe(tasks.length);
    const events = await q<{ execution_id: string; artifact_id: string; kind: string; port: string }>(
      'select execution_id, artifact_id, kind, port from events order by execution_id, kind',
    );
    const expected = tasks.flatMap((t, i) => [
      ...(i > 0 ? [{ execution_id: `${runId}.${t}`, artifact_id: `${runId}.${tasks[i - 1]}.out`, kind: 'input', port: 'prev' }] : []),
      { execution_id: `${runId}.${t}`, artifact_id: `${runId}.${t}.out`, kind: 'output', port: 'out' },
    ]).sort((a, b) => (a.execution_id === b.execution_id ? 0 : a.execution_id < b.execution_id ? -1 : 1)); // as the query orders them (s10 before s2)
    expect(events).toEqual(expected);
    const last = artifacts.find((a) => a.id === `${runId}.${tasks[tasks.length - 1]}.out`) as { uri: string };
    const content = JSON.parse(await readFile(new URL(last.uri), 'utf8')) as { values: number[] };
    expect(content.values).toEqual(tasks.map((_, i) => i + 1));
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
