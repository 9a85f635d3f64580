import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { saveClassifierModel } from '../classifierModel';
import { writeDataset } from '../dataset';
import { cleanupComponentRuns, metricSeries, runComponent } from '../testing/runComponent';
import { loadTf } from '../tfjsBackend';
import { classificationMetrics, type ClassificationMetrics } from './classificationMetrics';
import { evaluateClassifier } from './evaluateClassifier';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-evaluate-'));
});
afterAll(async () => {
  await cleanupComponentRuns();
  await rm(dir, { recursive: true, force: true });
});

describe('classificationMetrics', () => {
  it('computes the confusion matrix, per-class scores and accuracy of a hand-made case', () => {
    const actual = ['cat', 'cat', 'cat', 'dog', 'dog', 'bird'];
    const predicted = ['cat', 'cat', 'dog', 'dog', 'cat', 'dog'];
    const m = classificationMetrics(actual, predicted, ['cat', 'dog', 'bird']);
    expect(m.confusionMatrix).toEqual({
      labels: ['cat', 'dog', 'bird'],
      matrix: [
        [2, 1, 0],
        [1, 1, 0],
        [0, 1, 0],
      ],
    });
    expect(m.accuracy).toBeCloseTo(3 / 6);
    expect(m.n).toBe(6);
    const cat = m.perClass[0]!;
    expect(cat).toMatchObject({ label: 'cat', support: 3 });
    expect(cat.precision).toBeCloseTo(2 / 3);
    expect(cat.recall).toBeCloseTo(2 / 3);
    expect(cat.f1).toBeCloseTo(2 / 3);
    const dog = m.perClass[1]!;
    expect(dog.precision).toBeCloseTo(1 / 3);
    expect(dog.recall).toBeCloseTo(1 / 2);
    expect(dog.f1).toBeCloseTo(0.4);
    // Never predicted: zeros, not NaN.
    expect(m.perClass[2]).toEqual({ label: 'bird', precision: 0, recall: 0, f1: 0, support: 1 });
    expect(m.macro.f1).toBeCloseTo((2 / 3 + 0.4 + 0) / 3);
  });

  it('appends labels it was not told about, sorted', () => {
    const m = classificationMetrics(['b', 'z'], ['a', 'y'], ['b']);
    expect(m.confusionMatrix.labels).toEqual(['b', 'a', 'y', 'z']);
    expect(m.accuracy).toBe(0);
  });

  it('adds one-vs-rest ROC AUC, curves and average precision from the scores; macro AUC skips undefined classes', () => {
    // Class "a": scores 0.6 0.9 0.5 0.8 0.7 0.55 for rows + + − − + − (the hand-computed rocCurve case: 7/9).
    const actual = ['a', 'a', 'b', 'b', 'a', 'b'];
    const pa = [0.6, 0.9, 0.5, 0.8, 0.7, 0.55];
    const scores = pa.map((p) => [p, 1 - p, 0]);
    const predicted = pa.map((p) => (p >= 0.5 ? 'a' : 'b'));
    const m = classificationMetrics(actual, predicted, ['a', 'b', 'c'], scores);
    expect(m.perClass[0]!.rocAuc).toBeCloseTo(7 / 9, 12);
    expect(m.perClass[1]!.rocAuc).toBeCloseTo(7 / 9, 12); // 1 − p ranks "b" exactly as p ranks "a"
    expect(m.perClass[0]!.averagePrecision).toBeCloseTo(29 / 36, 12);
    expect(m.perClass[2]).toMatchObject({ label: 'c', rocAuc: null, averagePrecision: null }); // no "c" rows
    expect(m.macro.rocAuc).toBeCloseTo(7 / 9, 12);
    expect(m.roc?.map((c) => c.label)).toEqual(['a', 'b', 'c']);
    expect(m.roc?.[0]?.points).toHaveLength(7);
    expect(m.pr?.[0]?.points[0]).toEqual({ recall: 0, precision: 1, threshold: null });
    // Without scores the curve fields are absent (the artifact stays small).
    expect(classificationMetrics(actual, predicted, ['a', 'b']).roc).toBeUndefined();
  });

  it('refuses mismatched lengths', () => {
    expect(() => classificationMetrics(['a'], [])).toThrow(/1 actual labels but 0 predictions/);
  });
});

/** One softmax layer with weights chosen by hand: logits = sign × [x - y, y - x] (inputs unscaled). */
async function handModel(name: string, sign: 1 | -1): Promise<string> {
  const { tf, backend } = await loadTf();
  const model = tf.sequential({
    name: 'hand',
    layers: [tf.layers.dense({ name: 'out', inputShape: [2], units: 2, activation: 'softmax' })],
  });
  model.setWeights([tf.tensor2d([[sign, -sign], [-sign, sign]]), tf.tensor1d([0, 0])]);
  const modelPath = join(dir, name);
  await saveClassifierModel(modelPath, tf, model, {
    backend,
    features: ['x', 'y'],
    target: 'side',
    classes: ['left', 'right'],
    normalization: { mean: [0, 0], std: [1, 1] },
    params: {},
  });
  model.dispose();
  return modelPath;
}

describe('evaluate-classifier', () => {
  it('scores a hand-made model: predicts "left" when x > y, else "right"', async () => {
    const { backend } = await loadTf();
    const modelPath = await handModel('hand-model.json', 1);
    const testPath = join(dir, 'hand-test.json');
    await writeDataset(testPath, {
      columns: [{ name: 'y', type: 'number' }, { name: 'side', type: 'string' }, { name: 'x', type: 'number' }],
      target: 'side',
      rows: [
        [0, 'left', 1], // predicted left
        [0, 'left', 2], // predicted left
        [3, 'left', 1], // predicted right
        [5, 'right', 1], // predicted right
        [1, 'right', 4], // predicted left
      ],
    });

    const run = await runComponent(evaluateClassifier, { model: modelPath, test: testPath });
    const metrics = JSON.parse(await readFile(run.outputs.metrics.path, 'utf8')) as ClassificationMetrics;
    expect(metrics.confusionMatrix).toEqual({ labels: ['left', 'right'], matrix: [[2, 1], [1, 1]] });
    expect(run.result.accuracy).toBeCloseTo(3 / 5);
    expect(metricSeries(run, 'accuracy')).toEqual([run.result.accuracy]);
    expect(run.outputs.metrics.properties).toMatchObject({ n: 5, labels: ['left', 'right'], backend });
    // P(left) rises with x - y: left rows have x - y ∈ {1, 2, -2}, right rows {-4, 3}; a left row
    // outranks a right row in 3 of the 6 pairs → AUC 0.5.
    expect(metrics.perClass[0]!.rocAuc).toBeCloseTo(0.5, 12);
    expect(metrics.macro.rocAuc).toBeCloseTo(0.5, 12);
    expect(run.result).toMatchObject({ blessed: true, score: run.result.accuracy });
    await expect(stat(run.outputs.baselineMetrics.path)).rejects.toThrow(); // no baseline, no baseline metrics
    expect(await readFile(run.outputs.report.path, 'utf8')).toContain('no baseline model given');
  });

  it('refuses unlabelled test rows and labels the model never saw, naming the file and row', async () => {
    const modelPath = await handModel('labels-model.json', 1);
    const unlabelled = join(dir, 'unlabelled.json');
    await writeDataset(unlabelled, {
      columns: [{ name: 'x', type: 'number' }, { name: 'y', type: 'number' }, { name: 'side', type: 'string', nullable: true }],
      target: 'side',
      rows: [
        [1, 0, 'left'],
        [0, 1, null],
      ],
    });
    await expect(runComponent(evaluateClassifier, { model: modelPath, test: unlabelled })).rejects.toThrow(/unlabelled\.json row 2 has no "side" label/);
    const strange = join(dir, 'strange.json');
    await writeDataset(strange, {
      columns: [{ name: 'x', type: 'number' }, { name: 'y', type: 'number' }, { name: 'side', type: 'string' }],
      target: 'side',
      rows: [[1, 0, 'up']],
    });
    await expect(runComponent(evaluateClassifier, { model: modelPath, test: strange })).rejects.toThrow(/labels the model was not trained on: up \(model classes: left, right\)/);
  });

  describe('blessing against a baseline (same test rows)', () => {
    let good: string;
    let bad: string;
    let testPath: string;
    beforeAll(async () => {
      good = await handModel('good.json', 1); // 3 of 5 right
      bad = await handModel('bad.json', -1); // the opposite: 2 of 5 right
      testPath = join(dir, 'hand-test.json');
    });

    it('blesses a candidate that beats the baseline, and writes both metrics and the report', async () => {
      const run = await runComponent(evaluateClassifier, { model: good, baseline: bad, test: testPath, minimum: 0.5 });
      expect(run.result).toMatchObject({ blessed: true, accuracy: 0.6, score: 0.6 });
      const base = JSON.parse(await readFile(run.outputs.baselineMetrics.path, 'utf8')) as ClassificationMetrics;
      expect(base.accuracy).toBeCloseTo(0.4);
      const report = await readFile(run.outputs.report.path, 'utf8');
      expect(report).toContain('# ✅ Blessed');
      expect(report).toContain('baseline 0.4000');
      expect(metricSeries(run, 'baseline_accuracy')).toEqual([0.4]);
      expect(metricSeries(run, 'blessed')).toEqual([1]);
      expect(run.outputs.report.properties).toMatchObject({ blessed: true, metric: 'accuracy', score: 0.6, baselineScore: 0.4 });
    });

    it('refuses a candidate worse than the baseline unless within the threshold, and one under the minimum', async () => {
      const worse = await runComponent(evaluateClassifier, { model: bad, baseline: good, test: testPath });
      expect(worse.result.blessed).toBe(false);
      expect(await readFile(worse.outputs.report.path, 'utf8')).toContain('# ❌ Not blessed');
      expect(metricSeries(worse, 'blessed')).toEqual([0]);
      const tolerated = await runComponent(evaluateClassifier, { model: bad, baseline: good, test: testPath, threshold: 0.25 });
      expect(tolerated.result.blessed).toBe(true);
      const tooLow = await runComponent(evaluateClassifier, { model: good, baseline: bad, test: testPath, minimum: 0.7 });
      expect(tooLow.result.blessed).toBe(false);
      const byF1 = await runComponent(evaluateClassifier, { model: good, baseline: bad, test: testPath, metric: 'macroF1' });
      expect(byF1.result.score).toBeCloseTo(byF1.result.macroF1);
    });

    it('refuses an unknown metric', async () => {
      // @ts-expect-error tsc refuses this value now; the test is about the run-time check (values from IR, CLI, editor)
      await expect(runComponent(evaluateClassifier, { model: good, test: testPath, metric: 'auc' })).rejects.toThrow(
        'evaluate-classifier: metric must be one of accuracy, macroF1, macroPrecision, macroRecall, rocAuc; got "auc"',
      );
    });
  });

  it('fails clearly when the model file is not a model', async () => {
    const bogus = join(dir, 'not-a-model.json');
    await writeFile(bogus, '{"format": "something-else"}');
    const test = join(dir, 'one-row.json');
    await writeDataset(test, { columns: [{ name: 'x', type: 'number' }], rows: [[1]] });
    await expect(runComponent(evaluateClassifier, { model: bogus, test })).rejects.toThrow(
      `model ${bogus}: not a sluice.tfjs-classifier model file`,
    );
  });
});
