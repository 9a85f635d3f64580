import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadClassifierModel, readClassifierModel } from '../classifierModel';
import { writeDataset } from '../dataset';
import { loadIris } from '../data/loadIris';
import { split } from '../data/split';
import { evaluateClassifier } from '../evaluate/evaluateClassifier';
import type { ClassificationMetrics } from '../evaluate/classificationMetrics';
import { cleanupComponentRuns, metricSeries, runComponent } from '../testing/runComponent';
import { loadTf } from '../tfjsBackend';
import { trainClassifier } from './trainClassifier';

afterAll(cleanupComponentRuns);

describe('train-classifier on iris', () => {
  let train: string;
  let test: string;
  beforeAll(async () => {
    const iris = await runComponent(loadIris, {});
    const s = await runComponent(split, { dataset: iris.outputs.dataset });
    train = s.outputs.train.path;
    test = s.outputs.test.path;
  });

  it('lets the event loop run while it trains (a worker in the API process keeps answering)', async () => {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 10);
    const started = performance.now();
    try {
      await runComponent(trainClassifier, { train, epochs: 150 });
    } finally {
      clearInterval(timer);
    }
    const ms = performance.now() - started;
    // A 10 ms timer over the training: it fires at least every ~YIELD_EVERY_MS (25 ms) plus a batch.
    expect(ticks).toBeGreaterThanOrEqual(Math.floor(ms / 200));
    expect(ticks).toBeGreaterThan(3);
  });

  it('reaches at least 0.9 test accuracy with the default parameters and seed', async () => {
    const started = performance.now();
    const run = await runComponent(trainClassifier, { train });
    const trainSeconds = (performance.now() - started) / 1000;
    const evaluated = await runComponent(evaluateClassifier, { model: run.outputs.model, test });
    const metrics = JSON.parse(await readFile(evaluated.outputs.metrics.path, 'utf8')) as ClassificationMetrics;
    console.log(`iris: test accuracy ${evaluated.result.accuracy.toFixed(4)}, training ${trainSeconds.toFixed(1)} s, final loss ${run.result.finalLoss.toFixed(4)}`);

    expect(evaluated.result.accuracy).toBeGreaterThanOrEqual(0.9);
    expect(metrics.accuracy).toBe(evaluated.result.accuracy);
    expect(metrics.n).toBe(30);
    expect(metrics.confusionMatrix.labels).toEqual(['setosa', 'versicolor', 'virginica']);
    expect(metrics.macro.rocAuc).toBeGreaterThanOrEqual(0.95);
    expect(metricSeries(evaluated, 'accuracy')).toEqual([evaluated.result.accuracy]);

    // One loss and one accuracy point per epoch, steps 1..epochs, heartbeats each epoch.
    expect(run.metrics.filter((m) => m.key === 'loss').map((m) => m.step)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    // Charts put what the steps count on their x axis.
    expect(new Set(run.metrics.map((m) => m.stepLabel))).toEqual(new Set(['epoch']));
    expect(metricSeries(run, 'accuracy')).toHaveLength(100);
    expect(metricSeries(run, 'accuracy').at(-1)).toBe(run.result.finalAccuracy);
    expect(run.heartbeats).toHaveLength(100);
    const losses = metricSeries(run, 'loss');
    expect(losses.at(-1)).toBe(run.result.finalLoss);
    expect(run.result.finalLoss).toBeLessThan(losses[0]!);

    expect(run.outputs.model.properties).toMatchObject({
      framework: 'tensorflow.js',
      backend: 'cpu',
      classes: ['setosa', 'versicolor', 'virginica'],
      features: ['sepal_length', 'sepal_width', 'petal_length', 'petal_width'],
      modelType: 'dense-classifier',
      params: { hiddenLayers: [16], activation: 'relu', epochs: 100, learningRate: 0.05, batchSize: 16, seed: 42 },
      epochs: 100,
      trainRows: 120,
      trainAccuracy: run.result.finalAccuracy,
    });
  });

  it('stores topology, weights, classes, features and standardisation in one JSON file that loads back', async () => {
    const run = await runComponent(trainClassifier, { train, epochs: 3 });
    const file = await readClassifierModel(run.outputs.model.path);
    expect(file).toMatchObject({ format: 'sluice.tfjs-classifier', target: 'species', backend: 'cpu' });
    expect(file.normalization.mean).toHaveLength(4);
    expect(file.tfjs.weightSpecs.map((w) => w.shape)).toEqual([[4, 16], [16], [16, 3], [3]]);
    const { tf } = await loadTf();
    const { model } = await loadClassifierModel(run.outputs.model.path, tf);
    expect(model.outputs[0]!.shape).toEqual([null, 3]);
    model.dispose();
  });

  it('trains several hidden layers from hiddenLayers, and none for an empty list', async () => {
    const deep = await runComponent(trainClassifier, { train, epochs: 2, hiddenLayers: [8, 4], activation: 'tanh' });
    const deepFile = await readClassifierModel(deep.outputs.model.path);
    expect(deepFile.tfjs.weightSpecs.map((w) => w.shape)).toEqual([[4, 8], [8], [8, 4], [4], [4, 3], [3]]);
    expect(deepFile.params).toMatchObject({ hiddenLayers: [8, 4], activation: 'tanh' });
    const linear = await runComponent(trainClassifier, { train, epochs: 2, hiddenLayers: [] });
    expect((await readClassifierModel(linear.outputs.model.path)).tfjs.weightSpecs.map((w) => w.shape)).toEqual([[4, 3], [3]]);
    await expect(runComponent(trainClassifier, { train, hiddenLayers: [8, 0] })).rejects.toThrow(/hiddenLayers\[1\] must be a positive integer/);
    // @ts-expect-error tsc refuses this value now; the test is about the run-time check (values from IR, CLI, editor)
    await expect(runComponent(trainClassifier, { train, activation: 'gelu' })).rejects.toThrow(/activation must be one of relu, tanh, sigmoid; got "gelu"/);
  });

  it('is reproducible: the same seed gives the same model bytes, another seed another model', async () => {
    const a = await runComponent(trainClassifier, { train, epochs: 5 });
    const b = await runComponent(trainClassifier, { train, epochs: 5 });
    const c = await runComponent(trainClassifier, { train, epochs: 5, seed: 7 });
    const bytes = (r: typeof a): Promise<string> => readFile(r.outputs.model.path, 'utf8');
    expect(await bytes(b)).toBe(await bytes(a));
    expect(metricSeries(b, 'loss')).toEqual(metricSeries(a, 'loss'));
    expect(await bytes(c)).not.toBe(await bytes(a));
  });

  it('refuses a dataset without a target, and string features, naming the file', async () => {
    const dir = (await runComponent(loadIris, {})).dir;
    const noTarget = join(dir, 'no-target.json');
    await writeDataset(noTarget, { columns: [{ name: 'a', type: 'number' }], rows: [[1], [2]] });
    await expect(runComponent(trainClassifier, { train: noTarget })).rejects.toThrow(`${noTarget} names no "target" column`);

    const stringFeature = join(dir, 'string-feature.json');
    await writeDataset(stringFeature, {
      columns: [{ name: 'colour', type: 'string' }, { name: 'y', type: 'string' }],
      target: 'y',
      rows: [['red', 'a'], ['blue', 'b']],
    });
    await expect(runComponent(trainClassifier, { train: stringFeature })).rejects.toThrow(/string-feature\.json: column "colour" holds strings/);
  });

  it('refuses bad parameters before training', async () => {
    await expect(runComponent(trainClassifier, { train, epochs: 0 })).rejects.toThrow(/epochs must be a positive integer/);
    await expect(runComponent(trainClassifier, { train, learningRate: -1 })).rejects.toThrow(/learningRate must be a positive number/);
  });

  it('stops when the run is cancelled', async () => {
    const controller = new AbortController();
    controller.abort(new Error('run cancelled'));
    await expect(runComponent(trainClassifier, { train }, { signal: controller.signal })).rejects.toThrow('run cancelled');
  });

  it('reads a malformed train file with an error naming it', async () => {
    const dir = (await runComponent(loadIris, {})).dir;
    const bad = join(dir, 'bad.json');
    await writeFile(bad, '{"columns": [');
    await expect(runComponent(trainClassifier, { train: bad })).rejects.toThrow(`dataset ${bad}: not valid JSON`);
  });
});
