/**
 * Durability with real processes: a Temporal dev server persisting to a SQLite file, PostgreSQL
 * for the metadata store, and `sluice worker` child processes (a control worker and a CPU task
 * worker) that the tests kill with SIGKILL; the server itself is killed and started again on the
 * same port and db file. The pipeline (test/fixtures/durableChain.ts) is a chain of five ~1 s
 * steps with a 5 s heartbeat timeout, which a test can hold running (test/fixtures/
 * durableStepTiming.ts); every execution appends lines to a log file, so the tests can tell which
 * tasks really ran again.
 *
 * What must hold whatever is killed: the run succeeds; each task has one execution row, one output
 * artifact row and its events once; the artifacts carry the whole chain's data; and a task that
 * Temporal had recorded as finished before a kill (per the workflow's status query, or the
 * server's list of pending activities while no control worker runs) never runs again. Timing comes
 * from the metadata store, the status query and the server's description of the workflow, never
 * from fixed sleeps. A third test checks the graceful stop (SIGTERM) of a worker. A tuning study
 * (test/fixtures/durableStudy.ts) goes through the same kills: each trial is recorded once and
 * runs to its end once (one in flight at the server's kill may end twice, as a chain step may).
 * A canary model rollout (issue 14) goes through a kill of its control worker and of the server
 * while a client loop sends requests to an in-process model server: it is promoted once, each of
 * its steps decided once, the weights applied in order.
 *
 * Skipped, with the reason printed, where no PostgreSQL is available (scripts/ensure-postgres.sh).
 *
 * SLUICE_DURABILITY_TEMPORAL=<host:port> runs them against that Temporal server instead (the real
 * server on PostgreSQL: `bash scripts/temporal-server.sh start`), each test on task queues of its
 * own; the server-restart test then does not run (it kills and restarts its own dev server).
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../engine/logging';
import { DEFAULT_ROLLOUT_PLAN, startRollout } from '../../engine/runs/index';
import { DEFAULT_TASK_QUEUE_PREFIX } from '../../engine/runs/submitRun';
import { ROLLOUT_HEADER, startModelServer, VERSION_HEADER, type RunningModelServer } from '../../engine/serving/index';
import { LocalArtifactStore } from '../../engine/stores/artifacts/index';
import { projectRoot } from '../../engine/paths';
import { MODEL_SERVER_URL_ENV } from '../../engine/temporal/activities/index';
import type { modelRollout } from '../../engine/temporal/workflows/index';
import { rolloutWorkflowId } from '../../engine/temporal/workflows/types';
import { FUSED_CHAIN_TASKS } from '../fixtures/durableFusedChain';
import { HEARTBEAT_TIMEOUT_MS } from '../fixtures/durableStepTiming';
import { ITEMS_AT_ONCE } from '../../engine/temporal/activities/lightItems';
import { LIGHT_LOOP_ITEMS, LIGHT_LOOP_KILL_AT, LIGHT_LOOP_LANES } from '../fixtures/durableLightLoop';
import { STUDY_TRIALS } from '../fixtures/durableStudy';
import { CHAIN_FIXTURE, DurabilityWorld, externalTemporal, pgServer, since, sleep, waitFor } from '../support/durabilityWorld';
import { runToEnd, stopAllProcesses } from '../support/processes';
import { constantIrisModel, IRIS_INFER_BODY, registerModelBytes, startInferenceLoad, type LoadAnswer } from '../support/servedModels';

/** The same chain as light steps (execution: 'local'): run by the control worker. */
const LOCAL_FIXTURE = 'test/fixtures/durableLocalChain.ts';
/** Ten light steps fused into one local activity, the fifth killing its worker once. */
const FUSED_FIXTURE = 'test/fixtures/durableFusedChain.ts';
/** A loop of ten light items run as one light-item group, the fifth killing its worker once. */
const LIGHT_LOOP_FIXTURE = 'test/fixtures/durableLightLoop.ts';
/** A tuning study of slow trials (issue 15). */
const STUDY_FIXTURE = 'test/fixtures/durableStudy.ts';
/** temporal.api.enums.v1.PendingActivityState.STARTED: a worker has taken the activity task. */
const PENDING_ACTIVITY_STATE_STARTED = 2;

describe.skipIf(!pgServer.url)(`durability with real processes (PostgreSQL, ${externalTemporal ? `Temporal server ${externalTemporal}` : 'persisted Temporal dev server'})`, () => {
  let spec: unknown;
  let world: DurabilityWorld | undefined;

  let localSpec: unknown;
  let fusedSpec: unknown;
  let lightLoopSpec: unknown;
  let studySpec: unknown;

  beforeAll(async () => {
    // Compile in a child process, as a user would: the worker runs the same (tsx-compiled) code,
    // so the component digests in the IR match the implementations it registers.
    const dir = await mkdtemp(path.join(os.tmpdir(), 'sluice-durability-ir-'));
    const compileFixture = async (fixture: string, name: string): Promise<unknown> => {
      const file = path.join(dir, name);
      const r = await runToEnd({ name: 'sluice compile', args: [path.join(projectRoot, 'bin', 'sluice.js'), 'compile', fixture, '-o', file] });
      expect(r.code, r.output).toBe(0);
      return JSON.parse(await readFile(file, 'utf8'));
    };
    [spec, localSpec, fusedSpec, studySpec, lightLoopSpec] = await Promise.all([
      compileFixture(CHAIN_FIXTURE, 'chain.json'),
      compileFixture(LOCAL_FIXTURE, 'local-chain.json'),
      compileFixture(FUSED_FIXTURE, 'fused-chain.json'),
      compileFixture(STUDY_FIXTURE, 'study.json'),
      compileFixture(LIGHT_LOOP_FIXTURE, 'light-loop.json'),
    ]);
    await rm(dir, { recursive: true, force: true });
  });

  afterEach(async () => {
    await world?.close();
    world = undefined;
  });

  afterAll(async () => {
    await stopAllProcesses();
  });

  it('survives SIGKILL of the workers while a task runs, between tasks and as the next task is handed out', async () => {
    const w = (world = await DurabilityWorld.create(spec));
    const t0 = Date.now();
    let control = await w.startWorker(['control']);
    let cpu = await w.startWorker(['cpu']);
    console.log(`workers ready after ${since(t0)}`);

    // The steps each kill must land inside run on until released.
    const [releaseS1, releaseS2, releaseS5] = await Promise.all([w.hold('s1'), w.hold('s2'), w.hold('s5')]);
    const run = await w.submit();
    const { runId, handle } = run;
    /** Per kill: how often each task Temporal had already recorded as finished had started. */
    const finishedAtKill: Record<string, number>[] = [];
    const snapshot = async (finished: string[], label: string): Promise<void> => {
      const starts = await w.starts();
      finishedAtKill.push(Object.fromEntries(finished.map((t) => [t, starts[t] ?? 0])));
      console.log(`${since(t0)}: ${label}; finished then: [${finished.join(', ')}]`);
    };
    const killCpu = async (label: string): Promise<void> => {
      await cpu.kill('SIGKILL');
      await snapshot(await w.succeededTasks(handle), `killed ${cpu.name} ${label}`);
    };

    // 1. While the first task runs (inside the component).
    await w.runningIn(runId, 's1');
    await killCpu('while s1 runs');
    expect(finishedAtKill.at(-1)).toEqual({});
    expect(await w.linesOf('s1')).toEqual(['start 1']);
    await releaseS1();
    cpu = await w.startWorker(['cpu']);

    // 2. Between tasks, with nothing in flight: the control worker dies while s2 runs, so nobody
    //    schedules s3 when s2 ends; once Temporal has recorded s2's completion (no pending
    //    activity left), the task worker dies too. Both come back; the new control worker
    //    replays the workflow from its history.
    await w.runningIn(runId, 's2');
    await control.kill('SIGKILL');
    console.log(`${since(t0)}: killed ${control.name} while s2 runs`);
    await releaseS2();
    await waitFor('Temporal to record the end of s2', async () => (await handle.describe()).raw.pendingActivities?.length === 0);
    await cpu.kill('SIGKILL');
    expect(await w.linesOf('s2')).toEqual(['start 1', 'end 1']);
    expect(await w.linesOf('s3')).toEqual([]);
    await snapshot(['s1', 's2'], `killed ${cpu.name} between s2 and s3 (nothing in flight)`);
    [control, cpu] = await Promise.all([w.startWorker(['control']), w.startWorker(['cpu'])]);

    // 3. The moment the workflow records s3 as finished: s4 is being handed to the worker.
    await waitFor('s3 to succeed', async () => (await w.succeededTasks(handle)).includes('s3'));
    await killCpu('right after s3 finished');
    const s4 = (await handle.describe()).raw.pendingActivities?.[0];
    // Whether the dead worker had been handed s4 decides whether s4 may have started twice.
    const s4Handed = Number(s4?.state) === PENDING_ACTIVITY_STATE_STARTED;
    console.log(`  s4 ${s4Handed ? 'had been handed to the dead worker' : 'was not handed out yet'}`);
    cpu = await w.startWorker(['cpu']);

    // 4. While the last task runs.
    await w.runningIn(runId, 's5');
    await killCpu('while s5 runs');
    expect(await w.linesOf('s5')).toEqual(['start 1']);
    expect(Object.keys(finishedAtKill.at(-1) ?? {}).sort()).toEqual(['s1', 's2', 's3', 's4']);
    await releaseS5();
    cpu = await w.startWorker(['cpu']);

    const record = await w.waitForEnd(run);
    console.log(`run ${runId} ${record.status} after ${since(t0)}`);
    expect(record.status, record.error ?? '').toBe('succeeded');
    expect(record.outputs).toEqual({ out: `${runId}.s5.out` });
    await w.expectIntact(runId);

    // Tasks Temporal had recorded as finished before a kill never ran again.
    const starts = await w.starts();
    for (const snap of finishedAtKill) for (const [task, n] of Object.entries(snap)) expect(starts[task], task).toBe(n);
    // The interrupted ones ran again; s2 and s3 (no task in flight at their kills) ran once.
    expect(starts).toMatchObject({ s1: 2, s2: 1, s3: 1, s5: 2 });
    if (s4Handed) expect([1, 2]).toContain(starts.s4);
    else expect(starts.s4).toBe(1);
    const attempts = Object.fromEntries((await w.metadata.listExecutions(runId)).map((e) => [e.taskId, e.attempt]));
    expect(attempts).toMatchObject({ s1: 2, s2: 1, s3: 1, s5: 2 });
  });

  it('light steps (execution: local): a SIGKILLed control worker loses its workflow task, yet no step that had finished runs again', async () => {
    const w = (world = await DurabilityWorld.create(localSpec, { localModule: LOCAL_FIXTURE }));
    const t0 = Date.now();
    let control = await w.startWorker(['control']);
    const releaseS3 = await w.hold('s3');
    const run = await w.submit();
    const { runId } = run;

    // The control worker runs the steps itself; kill it inside s3. Steps it finished since its
    // last completed workflow task are not in the history: the next worker runs their local
    // activities again, and executeTask must answer from the execution rows.
    await w.runningIn(runId, 's3');
    await control.kill('SIGKILL');
    const startsAtKill = await w.starts();
    console.log(`${since(t0)}: killed ${control.name} while s3 runs; starts then: ${JSON.stringify(startsAtKill)}`);
    expect(startsAtKill).toEqual({ s1: 1, s2: 1, s3: 1 });
    await releaseS3();
    control = await w.startWorker(['control']);

    const record = await w.waitForEnd(run);
    const starts = await w.starts();
    console.log(`run ${runId} ${record.status} after ${since(t0)}; executions per task: ${JSON.stringify(starts)}`);
    expect(record.status, record.error ?? '').toBe('succeeded');
    expect(record.outputs).toEqual({ out: `${runId}.s5.out` });
    await w.expectIntact(runId);
    expect(starts).toEqual({ s1: 1, s2: 1, s3: 2, s4: 1, s5: 1 });
    // The interrupted step's second run is recorded as attempt 2, though Temporal counted it as 1 again.
    const attempts = Object.fromEntries((await w.metadata.listExecutions(runId)).map((e) => [e.taskId, e.attempt]));
    expect(attempts).toEqual({ s1: 1, s2: 1, s3: 2, s4: 1, s5: 1 });
    expect(await w.linesOf('s3')).toEqual(['start 1', 'start 2', 'end 2']);
  });

  it('a fused light chain whose fifth step kills its worker: after replay the chain runs again, the finished steps answered from their rows', async () => {
    const w = (world = await DurabilityWorld.create(fusedSpec, { localModule: FUSED_FIXTURE }));
    const t0 = Date.now();
    const control = await w.startWorker(['control']);
    const run = await w.submit();
    const { runId } = run;

    // s5 kills the worker that runs the chain (one local activity for all ten steps) the first time.
    const exit = await control.exited;
    const startsAtKill = await w.starts();
    console.log(`${since(t0)}: ${control.name} killed itself in s5 (${JSON.stringify(exit)}); starts then: ${JSON.stringify(startsAtKill)}`);
    expect(exit.signal).toBe('SIGKILL');
    expect(startsAtKill).toEqual({ s1: 1, s2: 1, s3: 1, s4: 1, s5: 1 });
    await w.startWorker(['control']);

    const record = await w.waitForEnd(run);
    const starts = await w.starts();
    console.log(`run ${runId} ${record.status} after ${since(t0)}; executions per task: ${JSON.stringify(starts)}`);
    expect(record.status, record.error ?? '').toBe('succeeded');
    expect(record.outputs).toEqual({ out: `${runId}.s10.out` });
    await w.expectIntact(runId, FUSED_CHAIN_TASKS);
    // Every step ran once, but the one that killed its worker: its second run is attempt 2.
    expect(starts).toEqual({ ...Object.fromEntries(FUSED_CHAIN_TASKS.map((t) => [t, 1])), s5: 2 });
    const attempts = Object.fromEntries((await w.metadata.listExecutions(runId)).map((e) => [e.taskId, e.attempt]));
    expect(attempts).toEqual({ ...Object.fromEntries(FUSED_CHAIN_TASKS.map((t) => [t, 1])), s5: 2 });
    expect(await w.linesOf('s5')).toEqual(['start 1', 'start 2', 'end 2']);
    // The chain was fused: the history that finished it holds one local activity marker for the ten steps.
    const history = await run.handle.fetchHistory();
    const markers = (history.events ?? []).filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_local_activity');
    expect(markers).toHaveLength(1);
  });

  it('a light-item group whose worker is killed mid-group: retried as a whole, the items it finished do not run again, the others run once', async () => {
    // The killer waits for the group's other lanes to move on; with a wrong lane count it would wait forever.
    expect(LIGHT_LOOP_LANES, 'test/fixtures/durableLightLoop.ts LIGHT_LOOP_LANES').toBe(ITEMS_AT_ONCE);
    const w = (world = await DurabilityWorld.create(lightLoopSpec, { localModule: LIGHT_LOOP_FIXTURE }));
    const t0 = Date.now();
    const control = await w.startWorker(['control']);
    const run = await w.submit();
    const { runId } = run;
    const task = (i: number): string => `each[${i}]/step`;
    const items = Array.from({ length: LIGHT_LOOP_ITEMS }, (_, i) => i);

    // Item LIGHT_LOOP_KILL_AT kills the worker running the group (one executeLightItems activity)
    // once the items before it have ended and their finished rows are written.
    const exit = await control.exited;
    const startsAtKill = await w.starts();
    console.log(`${since(t0)}: ${control.name} killed itself in ${task(LIGHT_LOOP_KILL_AT)} (${JSON.stringify(exit)}); starts then: ${JSON.stringify(startsAtKill)}`);
    expect(exit.signal).toBe('SIGKILL');
    expect(startsAtKill).toEqual(Object.fromEntries(items.filter((i) => i <= LIGHT_LOOP_KILL_AT).map((i) => [task(i), 1])));
    await w.startWorker(['control']);

    // The group's heartbeat timeout (15 s) hands it to the new worker.
    const record = await w.waitForEnd(run);
    const starts = await w.starts();
    console.log(`run ${runId} ${record.status} after ${since(t0)}; executions per task: ${JSON.stringify(starts)}`);
    expect(record.status, record.error ?? '').toBe('succeeded');
    // Every item ran once, but the one that killed its worker: it ran again.
    expect(starts).toEqual(Object.fromEntries(items.map((i) => [task(i), i === LIGHT_LOOP_KILL_AT ? 2 : 1])));
    expect(await w.linesOf(task(LIGHT_LOOP_KILL_AT))).toEqual(['start 1', 'start 2', 'end 2']);
    const executions = new Map((await w.metadata.listExecutions(runId)).map((e) => [e.taskId, e]));
    expect([...executions.keys()].sort()).toEqual(items.map(task).sort());
    for (const i of items) {
      const e = executions.get(task(i));
      expect(e?.status, task(i)).toBe('succeeded');
      // Finished before the kill: attempt 1 (answered from its row). The killer: attempt 2. After
      // it: attempt 2 if the dead worker had written its row (it waited in a lane), else 1.
      if (i < LIGHT_LOOP_KILL_AT) expect(e?.attempt, task(i)).toBe(1);
      else if (i === LIGHT_LOOP_KILL_AT) expect(e?.attempt, task(i)).toBe(2);
      else expect([1, 2], task(i)).toContain(e?.attempt);
    }
    // Lineage: one output artifact and one output event per item, nothing twice.
    const artifacts = (await w.db.query<{ id: string }>('select id from artifacts order by id')).rows.map((a) => a.id);
    expect(artifacts).toEqual(items.map((i) => `${runId}.${task(i)}.out`).sort());
    const events = (await w.db.query<{ execution_id: string; kind: string }>("select execution_id, kind from events where kind = 'output' order by execution_id")).rows;
    expect(events.map((e) => e.execution_id)).toEqual(items.map((i) => `${runId}.${task(i)}`).sort());
    // The items ran as one group: its activity was scheduled once and started twice (attempt 2 after the kill).
    const batchId = (await run.handle.fetchHistory()).events?.flatMap((e) => e.startChildWorkflowExecutionInitiatedEventAttributes?.workflowId ?? [])[0] as string;
    const batch = (await w.client.workflow.getHandle(batchId).fetchHistory()).events ?? [];
    const groups = batch.filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'executeLightItems');
    expect(groups).toHaveLength(1);
    expect(batch.find((e) => e.activityTaskStartedEventAttributes)?.activityTaskStartedEventAttributes?.attempt).toBe(2);
  });

  it('stops a worker gracefully on SIGTERM: its running task is handed back and retried at once', async () => {
    const w = (world = await DurabilityWorld.create(spec));
    const t0 = Date.now();
    await w.startWorker(['control']);
    const cpu = await w.startWorker(['cpu']);
    const releaseS2 = await w.hold('s2');
    const run = await w.submit();
    const { runId } = run;

    await w.runningIn(runId, 's2');
    const exit = await cpu.stop(15_000);
    console.log(`${since(t0)}: ${cpu.name} stopped on SIGTERM (${JSON.stringify(exit)})`);
    expect(exit, cpu.output).toEqual({ code: 0, signal: null });
    expect(cpu.output).toMatch(/worker stopped/);
    // The component saw the cancellation and stopped.
    expect(await w.linesOf('s2')).toEqual(['start 1', 'aborted 1']);
    await releaseS2();
    const stoppedAt = Date.now();
    await w.startWorker(['cpu']);
    await w.runningIn(runId, 's2');
    console.log(`${since(t0)}: s2 running again ${since(stoppedAt)} after the stop`);

    const record = await w.waitForEnd(run);
    expect(record.status, record.error ?? '').toBe('succeeded');
    await w.expectIntact(runId);
    expect(await w.starts()).toEqual({ s1: 1, s2: 2, s3: 1, s4: 1, s5: 1 });
  });

  it.skipIf(externalTemporal)('a tuning study survives SIGKILL of the task worker mid-trial, of the control worker mid-study and of the Temporal server: every trial recorded once, none completed twice', async () => {
    const w = (world = await DurabilityWorld.create(studySpec, { taskModule: STUDY_FIXTURE }));
    const t0 = Date.now();
    let control = await w.startWorker(['control']);
    let cpu = await w.startWorker(['cpu']);
    const run = await w.submit();
    const { runId } = run;
    const study = 'tune-trial-step';
    const ended = async (): Promise<number> => (await w.metadata.listTuneTrials(runId)).filter((t) => t.finishedAt !== null).length;
    const ends = async (): Promise<Record<string, number>> => {
      const out: Record<string, number> = {};
      for (const l of await w.executionLog()) if (l.what === 'end') out[l.task] = (out[l.task] ?? 0) + 1;
      return out;
    };

    // 1. The task worker, inside the trials it runs, after two have ended. Every trial is held once
    //    two have ended; the kill waits until each trial whose row says running is inside its
    //    step (started, not ended), so no trial is between its end and its row (it would end twice).
    await waitFor('two trials to end', async () => (await ended()) >= 2);
    const release = await w.hold('all');
    const inTrials = await waitFor('the running trials to be held inside their steps', async () => {
      const running = (await w.metadata.listExecutions(runId)).filter((e) => e.taskId.startsWith(`${study}[`) && e.status === 'running');
      const log = await w.executionLog();
      const inside = (task: string, attempt: number): boolean =>
        log.some((l) => l.task === task && l.attempt === attempt && l.what === 'start') && !log.some((l) => l.task === task && l.attempt === attempt && l.what === 'end');
      return running.length > 0 && running.every((e) => inside(e.taskId, e.attempt)) && running.map((e) => e.taskId);
    });
    await cpu.kill('SIGKILL');
    await release();
    console.log(`${since(t0)}: killed ${cpu.name} inside ${inTrials.join(', ')}; ${await ended()} trials ended`);
    cpu = await w.startWorker(['cpu']);

    // 2. The control worker (the run's and the study's workflows), with trials running and more to suggest.
    await waitFor('five trials to end', async () => (await ended()) >= 5);
    await control.kill('SIGKILL');
    const endsAtKill = await ends();
    console.log(`${since(t0)}: killed ${control.name} mid-study; ends then: ${JSON.stringify(endsAtKill)}`);
    control = await w.startWorker(['control']);

    // 3. The Temporal server, with trials in flight; back on the same port and db file. A trial in
    //    flight may end twice (its completion cannot be reported while the server is down, as the
    //    chain's s3 above); every other trial ends once.
    await waitFor('six trials to end', async () => (await ended()) >= 6);
    const inFlight = (await w.metadata.listTuneTrials(runId)).filter((t) => t.state === 'running').map((t) => `${study}[${t.number}]`);
    await w.server.kill();
    console.log(`${since(t0)}: killed the Temporal server; trials in flight: ${inFlight.join(', ')}`);
    await sleep(2_500);
    w.server = await w.server.restart();
    console.log(`${since(t0)}: Temporal server restarted on ${w.server.address}`);

    const record = await w.waitForEnd(run);
    console.log(`run ${runId} ${record.status} after ${since(t0)}; starts per trial: ${JSON.stringify(await w.starts())}`);
    expect(record.status, record.error ?? '').toBe('succeeded');
    const trials = await w.metadata.listTuneTrials(runId);
    // Every trial once, numbered 0..n-1, all succeeded (a killed attempt is retried, not lost).
    expect(trials.map((t) => t.number)).toEqual([...Array(STUDY_TRIALS).keys()]);
    expect(trials.every((t) => t.study === study && t.state === 'succeeded' && t.value !== null)).toBe(true);
    // No trial ran to its end twice; each has one execution row, with the parameters the study recorded.
    const endsNow = await ends();
    expect(Object.keys(endsNow).sort()).toEqual(trials.map((t) => `${study}[${t.number}]`).sort());
    for (const [task, n] of Object.entries(endsNow)) {
      if (inFlight.includes(task)) expect([1, 2], task).toContain(n);
      else expect(n, task).toBe(1);
    }
    // Those the workers' kills interrupted ended once: the kills lost nothing and repeated nothing.
    for (const [task, n] of Object.entries(endsAtKill)) expect(endsNow[task], task).toBe(n);
    const executions = (await w.metadata.listExecutions(runId)).filter((e) => e.taskId.startsWith(`${study}[`));
    expect(executions).toHaveLength(STUDY_TRIALS);
    for (const t of trials) expect(executions.find((e) => e.taskId === `${study}[${t.number}]`)?.params).toMatchObject(t.params);
    // Suggestions were not asked again after the control worker's replay: eight distinct points.
    expect(new Set(trials.map((t) => t.params.x)).size).toBe(STUDY_TRIALS);
    expect((record.outputs as { best: number }).best).toBe(Math.min(...trials.map((t) => t.value as number)));
  });

  it.skipIf(externalTemporal)('survives a SIGKILL of the Temporal server mid-run, restarted on the same port and db file', async () => {
    const w = (world = await DurabilityWorld.create(spec));
    const t0 = Date.now();
    const control = await w.startWorker(['control']);
    const cpu = await w.startWorker(['cpu']);
    console.log(`workers ready after ${since(t0)}`);

    const releaseS3 = await w.hold('s3');
    const run = await w.submit();
    const { runId, handle } = run;

    await w.runningIn(runId, 's3');
    const finished = await w.succeededTasks(handle);
    const startsBefore = await w.starts();
    expect(finished).toEqual(['s1', 's2']);
    const oldPid = w.server.pid;
    await w.server.kill();
    console.log(`${since(t0)}: killed the Temporal server (pid ${oldPid}) while s3 runs`);
    // Keep it down until s3's component has finished (its completion cannot be reported) and past
    // the heartbeat timeout, so the server comes back to an activity it must time out or complete.
    await releaseS3();
    await waitFor('s3 to finish its work while the server is down', async () => (await w.linesOf('s3')).includes('end 1'));
    await sleep(HEARTBEAT_TIMEOUT_MS + 500);
    w.server = await w.server.restart();
    console.log(`${since(t0)}: Temporal server restarted on ${w.server.address} (pid ${w.server.pid}, same db file)`);

    const record = await w.waitForEnd(run);
    const starts = await w.starts();
    console.log(`run ${runId} ${record.status} after ${since(t0)}; executions per task: ${JSON.stringify(starts)}`);
    expect(record.status, record.error ?? '').toBe('succeeded');
    await w.expectIntact(runId);
    // Finished before the crash: not run again. s3 (in flight) may have run twice; s4 and s5 once.
    expect(starts.s1).toBe(startsBefore.s1);
    expect(starts.s2).toBe(startsBefore.s2);
    expect([1, 2]).toContain(starts.s3);
    expect(starts.s4).toBe(1);
    expect(starts.s5).toBe(1);
    // The SDK's connections ride out the outage: the worker processes never had to be restarted.
    expect(control.running, `control worker output:\n${control.output}`).toBe(true);
    expect(cpu.running, `cpu worker output:\n${cpu.output}`).toBe(true);
  });
});

describe.skipIf(!pgServer.url)('a model rollout with real processes (PostgreSQL, persisted Temporal dev server, in-process model server)', () => {
  let world: DurabilityWorld | undefined;
  let server: RunningModelServer | undefined;
  let load: ReturnType<typeof startInferenceLoad> | undefined;

  afterEach(async () => {
    await load?.stop();
    await server?.close();
    await world?.close();
    [load, server, world] = [undefined, undefined, undefined];
  });

  it.skipIf(externalTemporal)(
    'a canary rollout under load survives SIGKILL of its control worker and of the Temporal server: promoted once, each step decided once, weights applied in order',
    async () => {
      const w = (world = await DurabilityWorld.create(undefined));
      const t0 = Date.now();
      // The workers' own artifact store (SLUICE_ARTIFACTS): the model server reads the versions from it.
      const artifacts = new LocalArtifactStore({ root: path.join(w.dir, 'artifacts') });
      const register = (cls: number): Promise<number> =>
        registerModelBytes({ metadata: w.metadata, artifacts, dir: w.dir, model: 'iris', bytes: constantIrisModel(cls), artifactId: `durable-rollout-${cls}` });
      expect(await register(0)).toBe(1);
      expect(await register(2)).toBe(2);
      await w.metadata.moveModelAlias({ model: 'iris', alias: 'champion', version: 1, actor: 'test', note: 'first' });
      server = await startModelServer({ source: w.metadata, artifacts, logger: createLogger({ level: 'silent' }), port: 0, pollMs: 100 });
      w.workerEnv[MODEL_SERVER_URL_ENV] = server.url;
      let control = await w.startWorker(['control']);
      load = startInferenceLoad(server.url, 'iris', { clients: 3, pauseMs: 10 });
      // Every client answered before the rollout starts: the model server's first, concurrent
      // reads of the model are done (ModelCatalog.model: each first request reads the registry,
      // and one that read before the rollout existed can hide its split until the next poll).
      await waitFor('every client to be answered', async () => load!.answeredByEach().every((n) => n > 0));
      console.log(`model server and control worker ready after ${since(t0)}`);

      // The latency gate is loose (a loaded 2-core machine, a server restart): the kills are what this test exercises.
      const plan = { ...DEFAULT_ROLLOUT_PLAN, mode: 'canary' as const, steps: [50, 100], intervalMs: 2500, maxErrorRate: 0.01, maxP99Ms: 5000, minRequests: 5, maxHolds: 10 };
      const rollout = await startRollout({ client: w.client, metadata: w.metadata, taskQueuePrefix: w.taskQueuePrefix ?? DEFAULT_TASK_QUEUE_PREFIX, model: 'iris', to: '2', plan, actor: 'alice' });
      expect(rollout).toMatchObject({ baselineVersion: 1, candidateVersion: 2, state: 'running' });
      const handle = w.client.workflow.getHandle<typeof modelRollout>(rolloutWorkflowId(rollout.id));
      /** No activity and no workflow task pending: the workflow waits on its timer. (An activity lost with a killed worker waits out its 1-minute start-to-close timeout.) */
      const idle = async (): Promise<boolean> => {
        const { raw } = await handle.describe();
        return raw.pendingActivities?.length === 0 && !raw.pendingWorkflowTask;
      };
      const actions = async (): Promise<string[]> => (await w.metadata.listRolloutDecisions(rollout.id)).map((d) => `${d.action}@${d.weight}`);

      // 1. The control worker (the workflow and its activities) dies inside step 1's window: the
      //    workflow waits on its durable timer, no activity in flight. It stays down past the
      //    window's end (a worker takes seconds to start): the timer fires with nobody to run it.
      await waitFor('step 1 (50%) to be applied', async () => (await actions()).includes('weight@50'));
      await waitFor('the workflow to wait on its timer', idle);
      await control.kill('SIGKILL');
      const atWorkerKill = await actions();
      console.log(`${since(t0)}: killed ${control.name} in step 1; decisions then: ${atWorkerKill.join(', ')}`);
      expect(atWorkerKill).toContain('weight@50');
      expect(atWorkerKill).not.toContain('pass@50');
      control = await w.startWorker(['control']);
      console.log(`${since(t0)}: ${control.name} ready`);

      // 2. The Temporal server dies inside step 2's window (its timer running: an activity whose
      //    completion the server missed would wait out its minute-long start-to-close timeout) and
      //    comes back on the same port and db file.
      await waitFor('step 2 (100%) to be applied', async () => (await actions()).includes('weight@100'), 90_000);
      await waitFor('the workflow to wait on its timer', idle);
      await w.server.kill();
      const atServerKill = await actions();
      console.log(`${since(t0)}: killed the Temporal server in step 2; decisions then: ${atServerKill.join(', ')}`);
      expect(atServerKill).not.toContain('promote@100');
      await sleep(2_500);
      w.server = await w.server.restart();
      console.log(`${since(t0)}: Temporal server restarted on ${w.server.address}`);

      const ended = await waitFor(
        'the rollout to end',
        async () => {
          const r = await w.metadata.getModelRollout(rollout.id);
          return r && r.state !== 'running' ? r : undefined;
        },
        90_000,
      );
      console.log(`rollout ${rollout.id} ${ended.state} after ${since(t0)}: ${ended.reason}`);
      expect(ended, ended.reason ?? '').toMatchObject({ state: 'promoted', step: 1, weight: 100 });
      expect(await handle.result()).toMatchObject({ state: 'promoted' });
      expect((await w.metadata.getRegisteredModel('iris'))?.aliases.champion).toBe(2);

      // Each step decided once, in order (a window held for too few requests adds a hold, once per window).
      const decisions = (await w.db.query<{ action: string; step: number; weight: number; request_key: string }>('select action, step, weight, request_key from model_rollout_decisions where rollout_id = $1 order by id', [rollout.id])).rows;
      console.log(`decisions: ${decisions.map((d) => d.request_key).join(', ')}`);
      expect(decisions.filter((d) => d.action !== 'hold').map((d) => `${d.action}@${d.weight}#${d.request_key}`)).toEqual(['weight@50#weight-0', 'pass@50#pass-0', 'weight@100#weight-1', 'pass@100#pass-1', 'promote@100#end']);
      for (const step of [0, 1]) {
        const holds = decisions.filter((d) => d.action === 'hold' && d.step === step).map((d) => d.request_key);
        expect(holds).toEqual(holds.map((_, i) => `hold-${step}-${i}`));
      }
      // One alias-history row for the promotion, naming the rollout.
      const champion = await w.metadata.listModelAliasEvents('iris', { alias: 'champion' });
      expect(champion.map((e) => [e.fromVersion, e.toVersion, e.actor])).toEqual([
        [null, 1, 'test'],
        [1, 2, 'alice'],
      ]);
      expect(champion[1]?.note).toContain(`rollout ${rollout.id}`);

      // The model server took the weights in order and ends on champion = v2 without a split.
      await waitFor('the split to be gone from the model server', async () => {
        const res = await fetch(`${server!.url}/v2/models/iris/infer`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: IRIS_INFER_BODY });
        await res.arrayBuffer();
        return res.status === 200 && res.headers.get(ROLLOUT_HEADER) === null && res.headers.get(VERSION_HEADER) === '2';
      });
      const report = await load.stop();
      load = undefined;
      const weightsSeen = report.answers.map((answers) => answers.map((a) => a.weight ?? '-').filter((x, i, all) => i === 0 || all[i - 1] !== x));
      console.log(`load: ${report.sent} requests, ${report.failed} failed; weights each client saw in turn: ${weightsSeen.map((ws) => ws.join(' → ')).join(' | ')}`);
      expect(report.failed).toBe(0);
      /** Per answer: 0 before the split, 1–3 at weight 0, 50 and 100, 4 after it; -1 at any other weight. */
      const phases = report.answers.map((answers) => {
        let split = false;
        return answers.map((a: LoadAnswer) => {
          if (a.weight === null) return split ? 4 : 0;
          split = true;
          return { 0: 1, 50: 2, 100: 3 }[a.weight] ?? -1;
        });
      });
      // Each client sends one request after the other: what it saw of the split only moves forward.
      for (const p of phases) expect(p).toEqual([...p].sort((x, y) => x - y));
      const seen = [...new Set(phases.flat())].sort();
      expect(seen).not.toContain(-1);
      expect(seen).toEqual(expect.arrayContaining([2, 3]));
      // Champion (v1) answered before the split and at weight 0, the candidate at 100, the new champion (v2) after.
      report.answers.forEach((answers, c) =>
        answers.forEach((a, i) => {
          const expected = { 0: 1, 1: 1, 3: 2, 4: 2 }[phases[c]![i]!];
          if (expected !== undefined) expect(a.version, `client ${c}, answer ${i}`).toBe(expected);
        }),
      );
      // The workers' connections rode out the server's outage.
      expect(control.running, `control worker output:\n${control.output}`).toBe(true);
    },
    180_000,
  );
});
