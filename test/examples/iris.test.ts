/**
 * The iris example end to end on a real stack (PGlite and PostgreSQL): it trains a model that
 * generalises, and the model's lineage reaches the dataset, the split and the training execution
 * with its parameters.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as components from '../../components/index';
import iris from '../../examples/iris';
import { backends, startTestStack, type TestStack } from '../support/stackHarness';

describe.each(backends())('examples/iris.ts on %s', (backend) => {
  let ts: TestStack;
  beforeAll(async () => {
    ts = await startTestStack(backend, [components]);
  });
  afterAll(async () => {
    await ts?.stop();
  });

  it('trains and evaluates a classifier, and the model traces back to its data, split and parameters', async () => {
    const run = await ts.run(iris, { epochs: 80 });
    expect(run.error).toBeNull();
    expect(run.status).toBe('succeeded');
    const m = ts.stack.metadata;
    const execs = await m.listExecutions(run.id);
    expect(execs.map((e) => e.taskId)).toEqual(['load-iris', 'split', 'train-classifier', 'evaluate-classifier']);
    const evaluate = execs.find((e) => e.taskId === 'evaluate-classifier');
    expect(evaluate?.outputParams?.accuracy).toBeGreaterThanOrEqual(0.9);

    const artifacts = await m.listRunArtifacts(run.id);
    const model = artifacts.find((a) => a.type === 'Model');
    const metrics = artifacts.find((a) => a.type === 'ClassificationMetrics');
    expect(model && metrics).toBeTruthy();
    if (!model) return;
    expect(run.outputs).toEqual({ model: model.id, metrics: metrics?.id });

    // Per-epoch training metrics are recorded as a series.
    const series = (await m.listMetrics({ runId: run.id })).filter((x) => x.key === 'loss');
    expect(series.length).toBe(80);

    const up = await m.lineage(model.id, { direction: 'upstream', depth: 10 });
    const upExecs = up.nodes.filter((n) => n.execution).map((n) => n.execution);
    const train = upExecs.find((e) => e?.componentName === 'train-classifier');
    expect(train?.params).toMatchObject({ epochs: 80, hiddenUnits: 16, learningRate: 0.05, seed: 42 });
    expect(upExecs.find((e) => e?.componentName === 'split')?.params).toMatchObject({ testFraction: 0.2, seed: 42 });
    expect(upExecs.some((e) => e?.componentName === 'load-iris')).toBe(true);
    const upArtifacts = up.nodes.filter((n) => n.artifact).map((n) => n.artifact?.name);
    expect(upArtifacts).toEqual(expect.arrayContaining(['load-iris.dataset', 'split.train', 'train-classifier.model']));
    expect(upArtifacts).not.toContain('split.test'); // the test split never touched the model

    const down = await m.lineage(model.id, { direction: 'downstream', depth: 10 });
    expect(down.nodes.map((n) => n.artifact?.type ?? n.execution?.componentName)).toEqual(
      expect.arrayContaining(['evaluate-classifier', 'ClassificationMetrics']),
    );
  });
});
