import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readClassifierModel } from '../classifierModel';
import { loadIris } from '../data/loadIris';
import { split } from '../data/split';
import { evaluateClassifier } from '../evaluate/evaluateClassifier';
import { cleanupComponentRuns, metricSeries, runComponent } from '../testing/runComponent';
import { trainLogisticRegression } from './trainLogisticRegression';

afterAll(cleanupComponentRuns);

describe('train-logistic-regression on iris', () => {
  let train: string;
  let test: string;
  beforeAll(async () => {
    const iris = await runComponent(loadIris, {});
    const s = await runComponent(split, { dataset: iris.outputs.dataset });
    train = s.outputs.train.path;
    test = s.outputs.test.path;
  });

  it('is a single softmax layer that still separates iris well, with per-epoch loss and accuracy', async () => {
    const run = await runComponent(trainLogisticRegression, { train });
    const file = await readClassifierModel(run.outputs.model.path);
    expect(file.tfjs.weightSpecs.map((w) => w.shape)).toEqual([[4, 3], [3]]);
    expect(file.params).toEqual({ modelType: 'logistic-regression', hiddenLayers: [], epochs: 100, learningRate: 0.1, batchSize: 16, seed: 42 });
    expect(run.outputs.model.properties).toMatchObject({ modelType: 'logistic-regression', framework: 'tensorflow.js', epochs: 100, trainRows: 120 });
    expect(metricSeries(run, 'loss')).toHaveLength(100);
    expect(metricSeries(run, 'accuracy').at(-1)).toBe(run.result.finalAccuracy);

    const evaluated = await runComponent(evaluateClassifier, { model: run.outputs.model, test });
    console.log(`iris logistic regression: test accuracy ${evaluated.result.accuracy.toFixed(4)}, final loss ${run.result.finalLoss.toFixed(4)}`);
    expect(evaluated.result.accuracy).toBeGreaterThanOrEqual(0.85);
  });

  it('gives the same bytes for the same seed', async () => {
    const a = await runComponent(trainLogisticRegression, { train, epochs: 3 });
    const b = await runComponent(trainLogisticRegression, { train, epochs: 3 });
    expect(await readFile(b.outputs.model.path, 'utf8')).toBe(await readFile(a.outputs.model.path, 'utf8'));
  });
});
