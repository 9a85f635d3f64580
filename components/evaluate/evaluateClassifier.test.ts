import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
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

  it('refuses mismatched lengths', () => {
    expect(() => classificationMetrics(['a'], [])).toThrow(/1 actual labels but 0 predictions/);
  });
});

describe('evaluate-classifier', () => {
  it('scores a hand-made model: predicts "left" when x > y, else "right"', async () => {
    const { tf, backend } = await loadTf();
    // One softmax layer with weights chosen by hand: logits = [x - y, y - x] (inputs unscaled).
    const model = tf.sequential({
      name: 'hand',
      layers: [tf.layers.dense({ name: 'out', inputShape: [2], units: 2, activation: 'softmax' })],
    });
    model.setWeights([tf.tensor2d([[1, -1], [-1, 1]]), tf.tensor1d([0, 0])]);
    const modelPath = join(dir, 'hand-model.json');
    await saveClassifierModel(modelPath, tf, model, {
      backend,
      features: ['x', 'y'],
      target: 'side',
      classes: ['left', 'right'],
      normalization: { mean: [0, 0], std: [1, 1] },
      params: {},
    });
    model.dispose();

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
