import { describe, expect, it } from 'vitest';
import { noWorkerPickedUpError } from './types';

describe('noWorkerPickedUpError (a task attempt that waited out timeout.queueMs)', () => {
  it('keeps the wording of attempt 1, which never reached a worker', () => {
    expect(noWorkerPickedUpError('sluice-gpu', 2000, null)).toBe(
      'no gpu worker picked up the task within 2s (task queue sluice-gpu; start one with: sluice worker --queue gpu)',
    );
    expect(noWorkerPickedUpError('sluice-cpu', 300_000, null)).toMatch(/^no cpu worker picked up the task within 5m \(task queue sluice-cpu;/);
  });

  // Regression: the limit applies per attempt, but a retry that timed out in the queue was worded
  // as if no worker had ever run the task.
  it('names the attempt that waited, and says an earlier one ran on a worker', () => {
    expect(noWorkerPickedUpError('sluice-gpu', 2000, 1)).toBe(
      'attempt 2 waited 2s for a gpu worker and none picked it up (the wait limit applies to each attempt; attempt 1 had run on a worker; ' +
        'task queue sluice-gpu; start one with: sluice worker --queue gpu)',
    );
    expect(noWorkerPickedUpError('sluice-gpu', 2000, 2)).toMatch(/^attempt 3 waited 2s for a gpu worker/);
  });
});
