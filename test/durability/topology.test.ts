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
 * not running (it builds once: see the script) and stops it after the test, so give it a port no one
 * else's server is on.
 *
 * Skipped, with the reason printed, where no PostgreSQL is available (scripts/ensure-postgres.sh).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../engine/paths';
import { HEARTBEAT_TIMEOUT_MS } from '../fixtures/durableStepTiming';
import { CHAIN_FIXTURE, DurabilityWorld, externalTemporal, pgServer, since, sleep, waitFor } from '../support/durabilityWorld';
import { runToEnd, stopAllProcesses, type ManagedProcess } from '../support/processes';

/** The same chain as light steps (execution: 'local'): run by the control workers. */
const LOCAL_FIXTURE = 'test/fixtures/durableLocalChain.ts';
const run = promisify(execFile);
const realServerPort = process.env.SLUICE_DURABILITY_REAL_SERVER || undefined;
let realServerStarted: string | undefined;

/** The real Temporal server on `port` through scripts/temporal-server.sh: start (idempotent), kill (SIGKILL), stop. */
async function realServer(command: 'start' | 'kill' | 'stop', port: string): Promise<string> {
  const { stdout } = await run('bash', [path.join(projectRoot, 'scripts', 'temporal-server.sh'), command], {
    env: { ...process.env, SLUICE_TEMPORAL_PORT: port },
    timeout: 20 * 60_000,
  });
  return stdout.trim().split('\n').pop() ?? '';
}

describe.skipIf(!pgServer.url)(`three worker processes (PostgreSQL, ${externalTemporal ? `Temporal server ${externalTemporal}` : 'persisted Temporal dev server'})`, () => {
  let spec: unknown;
  let localSpec: unknown;
  let world: DurabilityWorld | undefined;

  beforeAll(async () => {
    // Compiled by the CLI in a child process, as the workers load the fixtures: the digests match.
    const dir = await mkdtemp(path.join(os.tmpdir(), 'sluice-topology-ir-'));
    const compileFixture = async (fixture: string, name: string): Promise<unknown> => {
      const file = path.join(dir, name);
      const r = await runToEnd({ name: 'sluice compile', args: [path.join(projectRoot, 'bin', 'sluice.js'), 'compile', fixture, '-o', file] });
      expect(r.code, r.output).toBe(0);
      return JSON.parse(await readFile(file, 'utf8'));
    };
    [spec, localSpec] = await Promise.all([compileFixture(CHAIN_FIXTURE, 'chain.json'), compileFixture(LOCAL_FIXTURE, 'local-chain.json')]);
    await rm(dir, { recursive: true, force: true });
  });

  afterEach(async () => {
    await world?.close();
    world = undefined;
    // The port is the crash test's (see the header): a server left running there keeps ~40 of the
    // cluster's 100 PostgreSQL connections and starves whatever uses the cluster next.
    if (realServerStarted) await realServer('stop', realServerStarted);
    realServerStarted = undefined;
  });

  afterAll(async () => {
    await stopAllProcesses();
  });

  it('a SIGKILLed CPU worker process: the other one takes its step over, and no finished step runs again', async () => {
    const w = (world = await DurabilityWorld.create(spec, { name: 'topology' }));
    const t0 = Date.now();
    const [, ...cpus] = await w.startWorkers(['control', 'cpu', 'cpu']);
    console.log(`3 worker processes ready after ${since(t0)}`);
    const releaseS2 = await w.hold('s2');
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
    await releaseS2();

    const record = await w.waitForEnd(submitted);
    const log = await w.executionLog();
    console.log(`run ${runId} ${record.status} after ${since(t0)}; executions per task: ${JSON.stringify(await w.starts())}`);
    expect(record.status, record.error ?? '').toBe('succeeded');
    expect(record.outputs).toEqual({ out: `${runId}.s5.out` });
    await w.expectIntact(runId);
    // Only the interrupted step ran again (attempt 2), on the survivor, once the heartbeat timeout
    // (5 s) had passed; the survivor ran the rest, and s1, finished before the kill, ran once.
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
    const w = (world = await DurabilityWorld.create(localSpec, { name: 'topology', taskModule: LOCAL_FIXTURE, localModule: LOCAL_FIXTURE }));
    const t0 = Date.now();
    const controls = await w.startWorkers(['control', 'control', 'cpu']).then((ps) => ps.slice(0, 2));
    console.log(`3 worker processes ready after ${since(t0)}`);
    const releaseS3 = await w.hold('s3');
    const submitted = await w.submit();
    const { runId } = submitted;

    const s3pid = await w.runningIn(runId, 's3');
    const victim = controls.find((c) => c.pid === s3pid);
    expect(victim, `s3 runs in pid ${s3pid}, not in a control worker`).toBeDefined();
    await victim?.kill('SIGKILL');
    const startsAtKill = await w.starts();
    console.log(`${since(t0)}: killed the control worker (pid ${s3pid}) inside s3; starts then: ${JSON.stringify(startsAtKill)}`);
    expect(startsAtKill).toEqual({ s1: 1, s2: 1, s3: 1 });
    await releaseS3();

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
    realServerStarted = port;
    const address = await realServer('start', port);
    const w = (world = await DurabilityWorld.create(spec, { name: 'topology', address }));
    const t0 = Date.now();
    const workers = await w.startWorkers(['control', 'cpu', 'cpu']);
    const releaseS3 = await w.hold('s3');
    const submitted = await w.submit();
    const { runId, handle } = submitted;

    await w.runningIn(runId, 's3');
    expect(await w.succeededTasks(handle)).toEqual(['s1', 's2']);
    const startsBefore = await w.starts();
    await realServer('kill', port);
    console.log(`${since(t0)}: SIGKILLed the real Temporal server while s3 runs`);
    // Down until s3's component has finished (its completion cannot be reported) and past its heartbeat timeout.
    await releaseS3();
    await waitFor('s3 to finish its work while the server is down', async () => (await w.executionLog()).some((l) => l.task === 's3' && l.what === 'end'));
    await sleep(HEARTBEAT_TIMEOUT_MS + 500);
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
