import { describe, expect, it } from 'vitest';
import { runStreamEvents, type LogLine, type Run, type RunDetail } from 'sluice/api';
import { executionRecord } from './testRecords';
import gpuWaitingTask from './testdata/gpuWaitingTask.json';
import { taskDetail } from './runGraph';
import { countStates, emptyRunView, formatDuration, LOG_LIMIT, nodeView, reduceRun, runOutcome, runStatusView, taskView, waitingGates, type RunEvent, type RunViewState } from './runState';

const run = (status: Run['status'] = 'running'): Run => ({
  id: 'r1',
  pipelineVersionId: 'v1',
  pipelineName: 'iris',
  status,
  params: {},
  trigger: { kind: 'api' },
  workflowId: 'run-r1',
  failedTask: null,
  error: null,
  outputs: null,
  createdAt: '2030-01-01T00:00:00.000Z',
  startedAt: '2030-01-01T00:00:01.000Z',
  finishedAt: status === 'running' ? null : '2030-01-01T00:00:09.000Z',
});
const execution = executionRecord;
const line = (taskId: string, seq: number, attempt = 1): LogLine => ({
  runId: 'r1',
  executionId: `r1.${taskId}`,
  taskId,
  attempt,
  seq,
  ts: `2030-01-01T00:00:0${seq % 10}.000Z`,
  stream: 'log',
  level: 'info',
  message: `line ${seq}`,
  fields: null,
});
const apply = (...events: RunEvent[]): RunViewState => events.reduce(reduceRun, emptyRunView());
const detail = (over: Partial<RunDetail> = {}): RunDetail => ({ run: run(), executions: [], artifacts: [], live: null, tags: {}, note: null, experiment: null, ...over });

describe('run view state from the API and its event stream', () => {
  it('shows queued tasks while the run goes on, and "not run" once it has ended', () => {
    expect(taskView(apply({ type: 'detail', detail: detail() }), 'train').state).toBe('queued');
    expect(taskView(apply({ type: 'detail', detail: detail() }, { type: 'end', run: run('failed') }), 'train').state).toBe('not-run');
  });

  it('follows the workflow status of top-level tasks: pending → running → waiting for approval', () => {
    let s = apply({ type: 'detail', detail: detail() }, { type: 'task', task: 'train', status: { state: 'pending' } });
    expect(taskView(s, 'train').state).toBe('queued');
    s = reduceRun(s, { type: 'task', task: 'train', status: { state: 'running', startedAt: 1000 } });
    expect(taskView(s, 'train')).toMatchObject({ state: 'running', startedAt: 1000 });
    s = reduceRun(s, { type: 'task', task: 'gate', status: { state: 'waiting', approval: { message: 'ship it?' } } });
    expect(taskView(s, 'gate')).toMatchObject({ state: 'waiting-approval', approval: { message: 'ship it?' } });
    expect(waitingGates(s).map((g) => g.taskId)).toEqual(['gate']);
  });

  it('shows a task waiting for a GPU worker as the server sends it (waitingFor is an object), with the reason', () => {
    // The payload of the `task` event, parsed by the contract (the fixture cannot drift from it;
    // test/engine/gpuWorkers.test.ts checks that the real server's has the fixture's shape).
    const { task, ...status } = runStreamEvents.task.parse(gpuWaitingTask);
    let s = apply({ type: 'detail', detail: detail() }, { type: 'task', task, status });
    expect(taskView(s, 'fit')).toMatchObject({ state: 'waiting-gpu', waitingFor: status.waitingFor?.reason });
    expect(nodeView(s, 'fit').state).toBe('waiting-gpu');
    // The same from a detail fetch (GET /api/runs/:id answers the same status under live.tasks).
    s = apply({ type: 'detail', detail: detail({ live: { runId: 'r1', pipeline: 'iris', state: 'running', tasks: { fit: status } } }) });
    expect(taskView(s, 'fit').state).toBe('waiting-gpu');
    // Waiting for a CPU worker is not an approval gate either.
    s = apply({ type: 'task', task: 'prep', status: { state: 'waiting', waitingFor: { resourceClass: 'cpu', reason: 'waiting for a cpu worker' } } });
    expect(taskView(s, 'prep').state).toBe('waiting-worker');
    expect(waitingGates(s)).toEqual([]);
  });

  it('lets a final execution row win over a stale live status, with attempts, duration and error', () => {
    const s = apply(
      { type: 'task', task: 'train', status: { state: 'running', startedAt: 5 } },
      { type: 'execution', execution: execution('train', 'failed', { attempt: 3, error: 'out of memory' }) },
    );
    const v = taskView(s, 'train');
    expect(v).toMatchObject({ state: 'failed', attempt: 3, error: 'out of memory', executionId: 'r1.train' });
    expect(taskDetail(v, 0)).toBe('1.5 s · attempt 3');
  });

  it('shows cached tasks as cached, with where their outputs came from', () => {
    const s = apply({ type: 'execution', execution: execution('split', 'cached', { cachedFrom: 'r0.split' }) });
    expect(taskView(s, 'split')).toMatchObject({ state: 'cached', cachedFrom: 'r0.split' });
    expect(taskDetail(taskView(s, 'split'), 0)).toBe('reused');
  });

  it('is idempotent: a reconnecting stream replaying everything changes nothing', () => {
    const events: RunEvent[] = [
      { type: 'detail', detail: detail() },
      { type: 'execution', execution: execution('train', 'succeeded') },
      { type: 'log', line: line('train', 1) },
      { type: 'log', line: line('train', 2) },
    ];
    expect(apply(...events, ...events)).toEqual(apply(...events));
  });

  it('never moves a finished run back to running on a stale replay', () => {
    const s = apply({ type: 'end', run: run('succeeded') }, { type: 'run', run: run('running') });
    expect(s.run?.status).toBe('succeeded');
    expect(s.ended).toBe(true);
  });

  it('merges a fetched log page with streamed lines in order, without duplicates, bounded', () => {
    let s = apply({ type: 'log', line: line('train', 3) }, { type: 'log', line: line('train', 4) });
    s = reduceRun(s, { type: 'logs', lines: [line('train', 1), line('train', 2), line('train', 3)] });
    expect(s.logs.train?.map((l) => l.seq)).toEqual([1, 2, 3, 4]);
    s = reduceRun(s, { type: 'logs', lines: Array.from({ length: LOG_LIMIT + 10 }, (_, i) => line('big', i + 1)) });
    expect(s.logs.big).toHaveLength(LOG_LIMIT);
    expect(s.logs.big?.[0]?.seq).toBe(11);
  });

  it('shows a study by its trials once the run has ended (regression: an ended study read "did not run": it has no execution of its own)', () => {
    const ended = apply(
      { type: 'detail', detail: detail({ run: run('succeeded') }) },
      { type: 'execution', execution: execution('tune-fit[0]', 'succeeded') },
      { type: 'execution', execution: execution('tune-fit[1]', 'cancelled') },
      { type: 'execution', execution: execution('tune-fit[2]', 'failed') },
    );
    expect(nodeView(ended, 'tune-fit')).toMatchObject({ state: 'succeeded', paths: 3 });
    const live = apply({ type: 'execution', execution: execution('tune-fit[0]', 'succeeded') }, { type: 'execution', execution: execution('tune-fit[1]', 'running') });
    expect(nodeView(live, 'tune-fit')).toMatchObject({ state: 'running', paths: 2 });
    const allFailed = apply({ type: 'detail', detail: detail({ run: run('failed') }) }, { type: 'execution', execution: execution('tune-fit[0]', 'failed') });
    expect(nodeView(allFailed, 'tune-fit')).toMatchObject({ state: 'failed', paths: 1 });
  });

  it('shows a loop body task by its most urgent item, with the count of items', () => {
    const s = apply(
      { type: 'execution', execution: execution('sweep[0]/fit', 'succeeded') },
      { type: 'execution', execution: execution('sweep[1]/fit', 'failed') },
      { type: 'execution', execution: execution('sweep[2]/fit', 'running') },
    );
    expect(nodeView(s, 'fit')).toMatchObject({ state: 'failed', paths: 3 });
  });

  it('dedupes streamed log lines per task without losing order: replays, batches with repeats, late pages', () => {
    let s = apply({ type: 'log', line: line('train', 1) }, { type: 'log', line: line('train', 2) }, { type: 'log', line: line('eval', 1) });
    const evalLines = s.logs.eval;
    s = reduceRun(s, { type: 'log', line: line('train', 2) });
    s = reduceRun(s, { type: 'logs', lines: [line('train', 3), line('train', 3), line('train', 1)] });
    expect(s.logs.train?.map((l) => l.seq)).toEqual([1, 2, 3]);
    // A retry's lines follow the first attempt's; a replay of attempt 1 after them adds nothing.
    s = reduceRun(s, { type: 'logs', lines: [line('train', 1, 2), line('train', 2, 2)] });
    s = reduceRun(s, { type: 'log', line: line('train', 3) });
    expect(s.logs.train?.map((l) => `${l.attempt}.${l.seq}`)).toEqual(['1.1', '1.2', '1.3', '2.1', '2.2']);
    // Another task's lines keep their array (its log view need not re-render); nothing new keeps the record.
    expect(s.logs.eval).toBe(evalLines);
    const before = s.logs;
    expect(reduceRun(s, { type: 'logs', lines: [line('train', 2, 2), line('eval', 1)] }).logs).toBe(before);
  });

  it('lets a detail refresh correct a live status a missed task event left stale', () => {
    // The stream said train runs; the event that it failed was missed; the refresh says failed.
    let s = apply({ type: 'task', task: 'train', status: { state: 'running', startedAt: 1000 } });
    s = reduceRun(s, { type: 'detail', detail: detail({ live: { runId: 'r1', pipeline: 'iris', state: 'running', tasks: { train: { state: 'failed', startedAt: 1000, finishedAt: 2000, error: 'boom' } } } }) });
    expect(taskView(s, 'train')).toMatchObject({ state: 'failed', error: 'boom' });
    // Without times the fresh read wins too.
    s = apply({ type: 'task', task: 'gate', status: { state: 'pending' } });
    s = reduceRun(s, { type: 'detail', detail: detail({ live: { runId: 'r1', pipeline: 'iris', state: 'running', tasks: { gate: { state: 'waiting' } } } }) });
    expect(taskView(s, 'gate').state).toBe('waiting-approval');
  });

  it('keeps a live status newer than a detail fetched before it arrived', () => {
    let s = apply({ type: 'task', task: 'train', status: { state: 'succeeded', startedAt: 1000, finishedAt: 3000 } }, { type: 'task', task: 'eval', status: { state: 'running', startedAt: 3100 } });
    s = reduceRun(s, {
      type: 'detail',
      detail: detail({ live: { runId: 'r1', pipeline: 'iris', state: 'running', tasks: { train: { state: 'running', startedAt: 1000 }, eval: { state: 'pending' }, split: { state: 'succeeded', startedAt: 10, finishedAt: 20 } } } }),
    });
    expect(taskView(s, 'train').state).toBe('succeeded');
    expect(taskView(s, 'eval').state).toBe('running');
    expect(taskView(s, 'split').state).toBe('succeeded');
  });

  it('finds loop item paths of nested tasks and answers the same view for the same state', () => {
    const s = apply(
      { type: 'execution', execution: execution('sweep[0]/sub/fit', 'succeeded') },
      { type: 'execution', execution: execution('sweep[1]/sub/fit', 'running') },
      { type: 'execution', execution: execution('prefit', 'succeeded') },
    );
    expect(nodeView(s, 'fit')).toMatchObject({ state: 'running', paths: 2 });
    expect(nodeView(s, 'sub/fit')).toMatchObject({ state: 'running', paths: 2 });
    expect(nodeView(s, 'it')).toMatchObject({ state: 'queued', paths: 0 });
    expect(nodeView(s, 'fit')).toBe(nodeView(s, 'fit'));
  });

  it('counts states and formats durations', () => {
    expect(countStates([taskView(apply(), 'a'), taskView(apply(), 'b')])).toEqual({ queued: 2 });
    expect(formatDuration(250)).toBe('250 ms');
    expect(formatDuration(61_000)).toBe('1 min 01 s');
    expect(formatDuration(2 * 3_600_000 + 5 * 60_000)).toBe('2 h 05 min');
  });
});

describe('issue 12: a run that ends shows final task states; cancelling reads as such', () => {
  it('shows tasks the workflow still called pending when a retried run failed again as not run, not queued', () => {
    // A retry reuses `load`, re-runs `train`, which fails again; `evaluate` never starts. The last
    // status query (sent once more at the end) still says pending for it.
    let s = apply(
      { type: 'detail', detail: detail({ run: { ...run(), trigger: { kind: 'retry', of: 'r0' } } }) },
      { type: 'task', task: 'load', status: { state: 'cached' } },
      { type: 'task', task: 'train', status: { state: 'running', startedAt: 1000 } },
      { type: 'task', task: 'evaluate', status: { state: 'pending' } },
      { type: 'execution', execution: execution('load', 'cached') },
      { type: 'execution', execution: execution('train', 'failed') },
      { type: 'task', task: 'train', status: { state: 'failed', startedAt: 1000, finishedAt: 2000, error: 'boom' } },
      { type: 'task', task: 'evaluate', status: { state: 'pending' } },
      { type: 'end', run: { ...run('failed'), failedTask: 'train', error: 'boom' } },
    );
    expect(['load', 'train', 'evaluate'].map((t) => taskView(s, t).state)).toEqual(['cached', 'failed', 'not-run']);
    // The refresh after the end (no live status any more) keeps them so.
    s = reduceRun(s, { type: 'detail', detail: detail({ run: { ...run('failed'), failedTask: 'train', error: 'boom' }, executions: [execution('load', 'cached'), execution('train', 'failed')] }) });
    expect(['load', 'train', 'evaluate'].map((t) => taskView(s, t).state)).toEqual(['cached', 'failed', 'not-run']);
    expect(countStates(['load', 'train', 'evaluate'].map((t) => taskView(s, t))).queued).toBeUndefined();
  });

  it('does not leave a task running under an ended run when its last word was running', () => {
    const s = apply({ type: 'detail', detail: detail() }, { type: 'task', task: 'train', status: { state: 'running', startedAt: 1000 } }, { type: 'end', run: run('cancelled') });
    expect(taskView(s, 'train').state).toBe('not-run');
  });

  it('reads "cancelling…" from the moment the cancel is accepted until the run ends, and offers no second cancel', () => {
    let s = apply({ type: 'detail', detail: detail() }, { type: 'task', task: 'train', status: { state: 'running', startedAt: 1000 } });
    expect(runStatusView(s)).toEqual({ status: 'running', label: 'running', canCancel: true });
    s = reduceRun(s, { type: 'cancel-requested' });
    expect(runStatusView(s)).toEqual({ status: 'cancelling', label: 'cancelling…', canCancel: false });
    // The stream goes on saying running for a while: still cancelling.
    s = reduceRun(s, { type: 'run', run: run('running') });
    s = reduceRun(s, { type: 'detail', detail: detail() });
    expect(runStatusView(s)).toMatchObject({ status: 'cancelling', canCancel: false });
    s = reduceRun(s, { type: 'end', run: { ...run('cancelled'), failedTask: 'train', error: 'cancelled' } });
    expect(runStatusView(s)).toEqual({ status: 'cancelled', label: 'cancelled', canCancel: false });
  });

  it('says a cancelled run was cancelled, never that its task failed', () => {
    expect(runOutcome({ ...run('cancelled'), failedTask: 'train-classifier', error: 'cancelled' })).toEqual({ kind: 'cancelled', task: 'train-classifier', text: 'The run was cancelled; task train-classifier was stopped.' });
    expect(runOutcome({ ...run('cancelled'), error: 'cancelled' })).toEqual({ kind: 'cancelled', text: 'The run was cancelled.' });
    expect(runOutcome({ ...run('failed'), failedTask: 'train', error: 'boom' })).toEqual({ kind: 'failed', task: 'train', text: 'boom' });
    expect(runOutcome(run('succeeded'))).toBeNull();
  });
});
