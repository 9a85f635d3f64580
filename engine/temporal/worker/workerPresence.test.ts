import { describe, expect, it } from 'vitest';
import type { ExecutionRecord } from '../../stores/metadata/MetadataStore';
import type { RunStatusView } from '../workflows/types';
import { annotateWaitingTasks, takenByWorker, type TemporalDescriber } from './workerPresence';

type Row = Pick<ExecutionRecord, 'taskId' | 'status' | 'attempt'>;

/** A Temporal client whose task queues have no poller at all (no worker of that kind is online). */
const nobodyPolls: TemporalDescriber = {
  workflowService: { describeTaskQueue: async () => ({ pollers: [] }) } as unknown as TemporalDescriber['workflowService'],
  withDeadline: <R>(_deadline: number, fn: () => Promise<R>): Promise<R> => fn(),
  options: { namespace: 'default' },
};

let queues = 0;
/** A live status with one running task on a fresh gpu queue (queue answers are cached per name). */
function runningOnGpu(): RunStatusView {
  queues += 1;
  return { runId: 'r1', pipeline: 'p', state: 'running', tasks: { fit: { state: 'running', taskQueue: `presence-test-${queues}-gpu` } } };
}

describe('annotateWaitingTasks', () => {
  it('marks a task no worker has taken as waiting for a gpu worker', async () => {
    const status = await annotateWaitingTasks(runningOnGpu(), { client: nobodyPolls, executions: async () => [] });
    expect(status?.tasks.fit).toMatchObject({ state: 'waiting', waitingFor: { resourceClass: 'gpu' } });
    expect(status?.tasks.fit?.waitingFor?.reason).toMatch(/^waiting for a gpu worker: none is polling/);
  });

  it('leaves a running attempt alone: a busy worker stops polling', async () => {
    const rows: Row[] = [{ taskId: 'fit', status: 'running', attempt: 1 }];
    const status = await annotateWaitingTasks(runningOnGpu(), { client: nobodyPolls, executions: async () => rows });
    expect(status?.tasks.fit?.state).toBe('running');
    expect(status?.tasks.fit?.waitingFor).toBeUndefined();
  });

  // Regression: only 'running' rows counted, so a task between attempts (its row 'failed', the
  // next attempt in retry backoff) was shown as "waiting for a gpu worker" although one had run it.
  it('leaves a task in retry backoff alone: its failed attempt was taken by a worker', async () => {
    for (const status of ['failed', 'cancelled'] as const) {
      const rows: Row[] = [{ taskId: 'fit', status, attempt: 1 }];
      const annotated = await annotateWaitingTasks(runningOnGpu(), { client: nobodyPolls, executions: async () => rows });
      expect(annotated?.tasks.fit?.state).toBe('running');
      expect(annotated?.tasks.fit?.waitingFor).toBeUndefined();
    }
  });
});

describe('takenByWorker', () => {
  it('is true for a row a worker wrote (an attempt number, any outcome) and false for rows the workflow writes', () => {
    expect(takenByWorker({ status: 'running', attempt: 1 })).toBe(true);
    expect(takenByWorker({ status: 'failed', attempt: 2 })).toBe(true);
    expect(takenByWorker({ status: 'succeeded', attempt: 1 })).toBe(true);
    expect(takenByWorker({ status: 'failed', attempt: 0 })).toBe(false);
    expect(takenByWorker({ status: 'waiting', attempt: 1 })).toBe(false);
    expect(takenByWorker({ status: 'skipped', attempt: 1 })).toBe(false);
  });
});
