/**
 * examples/iris-tuning.ts end to end on a real stack (Temporal dev server, PGlite): the TPE study
 * over the iris classifier runs its trials, records them with parameters inside the space and their
 * per-epoch losses, and the best trial's model is evaluated on held-out rows.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as components from '../../components/index';
import irisTuning from '../../examples/iris-tuning';
import { startTestStack, type TestStack } from '../support/stackHarness';

describe('examples/iris-tuning.ts', () => {
  let ts: TestStack;
  beforeAll(async () => {
    ts = await startTestStack('pglite', [components]);
  });
  afterAll(async () => {
    await ts?.stop();
  });

  it('runs the study to the end: trials recorded, best parameters inside the space, intermediate losses kept', async () => {
    const run = await ts.run(irisTuning);
    expect(run.error).toBeNull();
    expect(run.status).toBe('succeeded');
    const m = ts.stack.metadata;
    const trials = await m.listTuneTrials(run.id);
    expect(trials).toHaveLength(12);
    expect(trials.every((t) => t.study === 'tune-train-classifier' && t.state !== 'running')).toBe(true);
    for (const t of trials) {
      const { learningRate, hiddenUnits, epochs } = t.params as { learningRate: number; hiddenUnits: number; epochs: number };
      expect(learningRate).toBeGreaterThanOrEqual(1e-3);
      expect(learningRate).toBeLessThanOrEqual(0.3);
      expect([4, 8, 16, 32]).toContain(hiddenUnits);
      expect([5, 10, 15, 20, 25, 30]).toContain(epochs);
    }

    const outputs = run.outputs as { bestParams: Record<string, number>; bestLoss: number; learningRate: number; testAccuracy: number; trials: unknown[] };
    const succeeded = trials.filter((t) => t.state === 'succeeded');
    expect(succeeded.length).toBeGreaterThan(0);
    expect(outputs.bestLoss).toBe(Math.min(...succeeded.map((t) => t.value ?? Infinity)));
    const best = succeeded.find((t) => t.value === outputs.bestLoss);
    expect(outputs.bestParams).toEqual(best?.params);
    expect(outputs.learningRate).toBe(outputs.bestParams.learningRate);
    expect(outputs.trials).toHaveLength(12);
    // The chosen model generalises to the held-out rows (30 test rows; a trivial model gets 1/3).
    expect(outputs.testAccuracy).toBeGreaterThan(0.6);

    // Per-epoch losses of every trial that ran, under the trial's own execution: what the median rule and the run view read.
    const metrics = await m.listMetrics({ runId: run.id });
    for (const t of trials) {
      const losses = metrics.filter((r) => r.executionId === t.executionId && r.key === 'loss');
      if (t.state === 'succeeded') expect(losses.length).toBe((t.params as { epochs: number }).epochs);
      if (t.state === 'pruned') {
        expect(t.prunedStep).not.toBeNull();
        expect(losses.length).toBeGreaterThan(0);
      }
    }
  });
});
