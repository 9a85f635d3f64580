/**
 * examples/hyperparameter-sweep.ts end to end: a loop over a grid (two trials at a time), fan-in of
 * models and accuracies, the best model selected, and its lineage reaching every trial.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as components from '../../components/index';
import sweep from '../../examples/hyperparameter-sweep';
import { startTestStack, type TestStack } from '../support/stackHarness';

describe('examples/hyperparameter-sweep.ts', () => {
  let ts: TestStack;
  beforeAll(async () => {
    ts = await startTestStack('pglite', [components]);
  });
  afterAll(async () => {
    await ts?.stop();
  });

  it('trains one model per grid point and keeps the most accurate one', async () => {
    const grid = [
      { learningRate: 0.001, hiddenUnits: 2 },
      { learningRate: 0.05, hiddenUnits: 8 },
      { learningRate: 0.1, hiddenUnits: 8 },
    ];
    const run = await ts.run(sweep, { grid, epochs: 40 });
    expect(run.error).toBeNull();
    const m = ts.stack.metadata;
    const execs = await m.listExecutions(run.id);
    const accuracies = grid.map((_, i) => execs.find((e) => e.taskId === `trials[${i}]/evaluate-classifier`)?.outputParams?.accuracy as number);
    expect(accuracies.every((a) => typeof a === 'number')).toBe(true);
    const best = Math.max(...accuracies);
    expect(run.outputs?.accuracy).toBe(best);
    expect(run.outputs?.trial).toBe(accuracies.indexOf(best));

    // The selected model's lineage reaches every trial's training, and the split before them.
    const graph = await m.lineage(run.outputs?.model as string, { direction: 'upstream', depth: 4 });
    const tasks = new Set(graph.nodes.flatMap((n) => (n.execution ? [n.execution.taskId] : [])));
    for (let i = 0; i < grid.length; i++) expect(tasks.has(`trials[${i}]/train-classifier`)).toBe(true);
    expect(tasks.has('split')).toBe(true);
    const trainParams = execs.find((e) => e.taskId === 'trials[2]/train-classifier')?.params;
    expect(trainParams).toMatchObject({ learningRate: 0.1, hiddenUnits: 8, epochs: 40 });
  });
});
