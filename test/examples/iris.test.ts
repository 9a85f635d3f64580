/**
 * The iris example end to end on a real stack (PGlite and PostgreSQL): the data passes schema
 * validation, the model generalises and is blessed against its logistic-regression baseline, its
 * ONNX export scores the data set with the provider recorded, and the model's lineage reaches the
 * dataset, the split and the training execution with its parameters.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as components from '../../components/index';
import { formatLineage } from '../../engine/cli/format';
import { storeReader } from '../../engine/cli/reader';
import type { LineageGraph } from '../../engine/stores/metadata/MetadataStore';
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

  it('validates, trains, blesses against a baseline, exports to ONNX and batch-scores; the model traces back to its data, split and parameters', async () => {
    const run = await ts.run(iris, { epochs: 80 });
    expect(run.error).toBeNull();
    expect(run.status).toBe('succeeded');
    const m = ts.stack.metadata;
    const execs = await m.listExecutions(run.id);
    expect(execs.map((e) => e.taskId).sort()).toEqual(
      [
        'load-iris',
        'infer-schema',
        'validate-schema',
        'split',
        'standardize',
        'train-classifier',
        'train-logistic-regression',
        'evaluate-classifier',
        'export-onnx',
        'batch-inference',
        'register-model',
      ].sort(),
    );
    const exec = (taskId: string) => execs.find((e) => e.taskId === taskId);
    expect(exec('validate-schema')?.outputParams).toMatchObject({ valid: true, anomalyCount: 0 });
    const evaluate = exec('evaluate-classifier');
    expect(evaluate?.outputParams?.accuracy).toBeGreaterThanOrEqual(0.9);
    expect(evaluate?.outputParams?.blessed).toBe(true);
    expect(exec('export-onnx')?.outputParams?.maxAbsDiff).toBeLessThan(1e-4);

    const artifacts = await m.listRunArtifacts(run.id);
    const byName = (name: string) => artifacts.find((a) => a.name === name);
    const model = byName('train-classifier.model');
    const metrics = byName('evaluate-classifier.metrics');
    const report = byName('evaluate-classifier.report');
    const onnx = byName('export-onnx.onnx');
    const predictions = byName('batch-inference.predictions');
    expect(model && metrics && report && onnx && predictions).toBeTruthy();
    if (!model || !onnx || !predictions) return;
    expect(run.outputs).toEqual({ model: model.id, metrics: metrics?.id, report: report?.id, blessed: true, onnx: onnx.id, predictions: predictions.id });
    expect(model.properties).toMatchObject({ framework: 'tensorflow.js', modelType: 'dense-classifier', classes: ['setosa', 'versicolor', 'virginica'], epochs: 80 });
    expect(byName('train-logistic-regression.model')?.properties).toMatchObject({ modelType: 'logistic-regression' });
    expect(metrics?.properties).toMatchObject({ blessed: true });
    expect(onnx.type).toBe('Model');
    // The standardize transform is in the graph: the model (registered, served) takes raw measurements.
    expect(onnx.properties).toMatchObject({ format: 'onnx', opset: 13, task: 'classification', inputs: [{ name: 'features', shape: ['batch', 4] }], inputScale: 'raw' });
    // The blessed model is a new version of the registered model "iris", and `challenger` points at it.
    const [registered] = await m.listModelVersions('iris');
    expect(registered).toMatchObject({ artifactId: onnx.id, aliases: ['challenger'], createdBy: `run ${run.id} task register-model` });
    expect(exec('register-model')?.outputParams).toEqual({ version: registered?.version, aliasMoved: true });
    // The whole data set, scored by ONNX Runtime; the provider that ran is recorded.
    expect(predictions.type).toBe('Dataset');
    expect(predictions.properties).toMatchObject({ rows: 150, task: 'classification', batchSize: 4096 });
    expect(['cpu', 'cuda']).toContain(predictions.properties.provider);
    expect(predictions.properties.rowsPerSecond).toBeGreaterThan(0);
    expect(predictions.properties.columns).toEqual(expect.arrayContaining(['species', 'predicted_species', 'probability_setosa']));
    // Scored on the raw data set: right on (nearly) every flower, setosa always.
    const scored = await components.readDataset(await ts.stack.artifacts.materialize(predictions.uri));
    const col = (name: string) => scored.columns.findIndex((c) => c.name === name);
    const right = scored.rows.filter((r) => r[col('species')] === r[col('predicted_species')]);
    expect(right.length / scored.rows.length).toBeGreaterThanOrEqual(0.9);
    expect(scored.rows.filter((r) => r[col('species')] === 'setosa').every((r) => r[col('predicted_species')] === 'setosa')).toBe(true);

    // Per-epoch training metrics are recorded as a series.
    const series = (await m.listMetrics({ runId: run.id })).filter((x) => x.key === 'loss' && x.executionId === exec('train-classifier')?.id);
    expect(series.length).toBe(80);

    const up = await m.lineage(model.id, { direction: 'upstream', depth: 10 });
    const upExecs = up.nodes.filter((n) => n.execution).map((n) => n.execution);
    const train = upExecs.find((e) => e?.componentName === 'train-classifier');
    expect(train?.params).toMatchObject({ epochs: 80, hiddenUnits: 16, learningRate: 0.05, seed: 42 });
    expect(upExecs.find((e) => e?.componentName === 'split')?.params).toMatchObject({ testFraction: 0.2, seed: 42 });
    expect(upExecs.some((e) => e?.componentName === 'load-iris')).toBe(true);
    const upArtifacts = up.nodes.filter((n) => n.artifact).map((n) => n.artifact?.name);
    expect(upArtifacts).toEqual(expect.arrayContaining(['load-iris.dataset', 'split.train', 'standardize.trainScaled', 'train-classifier.model']));
    // standardize reads the test split (to scale it with the train-fitted parameters), but the
    // trainer never saw the scaled test rows.
    expect(upArtifacts).not.toContain('standardize.testScaled');

    const down = await m.lineage(model.id, { direction: 'downstream', depth: 10 });
    expect(down.nodes.map((n) => n.artifact?.type ?? n.execution?.componentName)).toEqual(
      expect.arrayContaining(['evaluate-classifier', 'ClassificationMetrics', 'export-onnx', 'batch-inference']),
    );
  });

  it('keeps one producer per artifact when later runs reuse cached results, and the lineage does not grow with them', async () => {
    // As `npm run up` does on every start: the same pipeline again, with caching on.
    const producersOf = (g: LineageGraph, id: string) => g.edges.filter((e) => e.to === id && e.kind === 'output').map((e) => e.from);
    const lines: number[] = [];
    let model = '';
    for (let i = 1; i <= 3; i++) {
      const run = await ts.run(iris, { epochs: 80 });
      expect(run.status).toBe('succeeded');
      // Downstream tasks of cached ones still get the artifacts: the run's outputs are the model's.
      const output = run.outputs?.model;
      if (typeof output !== 'string') throw new Error(`run ${i} has no model output: ${JSON.stringify(run.outputs)}`);
      if (i > 1) expect(output).toBe(model);
      model = output;
      if (i > 1) expect((await ts.stack.metadata.listExecutions(run.id)).every((e) => e.status === 'cached')).toBe(true);

      const up = await ts.stack.metadata.lineage(model, { direction: 'upstream', depth: 10 });
      const artifacts = up.nodes.filter((n) => n.kind === 'artifact');
      expect(artifacts.map((n) => n.artifact?.name)).toEqual(expect.arrayContaining(['load-iris.dataset', 'split.train', 'train-classifier.model']));
      for (const a of artifacts) {
        const producers = producersOf(up, a.id);
        expect(producers, `producers of ${a.artifact?.name}`).toHaveLength(1);
        expect(up.nodes.find((n) => n.id === producers[0])?.execution?.status, `producer of ${a.artifact?.name}`).toBe('succeeded');
      }
      // What `sluice lineage <model>` prints (both ways, depth 10).
      lines.push(formatLineage(await storeReader(ts.stack.metadata).lineage(model, { direction: 'both', depth: 10 })).split('\n').length);
    }
    expect(lines[2], `lines of the lineage after runs 1, 2, 3: ${lines.join(', ')}`).toBe(lines[1]);
  });
});
