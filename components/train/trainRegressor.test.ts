import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { numberMatrix, readDataset } from '../dataset';
import { loadIris } from '../data/loadIris';
import { split } from '../data/split';
import { loadRegressorModel } from '../regressorModel';
import { cleanupComponentRuns, metricSeries, runComponent } from '../testing/runComponent';
import { loadTf } from '../tfjsBackend';
import { tfjsPredict } from '../tfjsPredict';
import { trainRegressor } from './trainRegressor';

afterAll(cleanupComponentRuns);

describe('train-regressor on iris (petal width from the other measurements)', () => {
  let train: string;
  let test: string;
  beforeAll(async () => {
    const iris = await runComponent(loadIris, {});
    const s = await runComponent(split, { dataset: iris.outputs.dataset });
    train = s.outputs.train.path;
    test = s.outputs.test.path;
  });

  it('learns petal width to within 0.2 cm mean absolute error on held-out rows', async () => {
    const run = await runComponent(trainRegressor, { train, target: 'petal_width' });
    const losses = metricSeries(run, 'loss');
    const maes = metricSeries(run, 'mae');
    expect(run.metrics.filter((m) => m.key === 'mae').map((m) => m.step)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    expect(new Set(run.metrics.map((m) => m.stepLabel))).toEqual(new Set(['epoch']));
    expect(losses).toHaveLength(100);
    expect(losses.at(-1)).toBeCloseTo(run.result.finalLoss, 10);
    expect(maes.at(-1)).toBeCloseTo(run.result.finalMae, 10);
    expect(run.result.finalLoss).toBeLessThan(losses[0]!);

    const { tf } = await loadTf();
    const { file, model } = await loadRegressorModel(run.outputs.model.path, tf);
    expect(file.features).toEqual(['sepal_length', 'sepal_width', 'petal_length']); // species, the label, is left out
    const ds = await readDataset(test);
    const out = await tfjsPredict(tf, model, numberMatrix(ds, file.features, test), file.normalization);
    model.dispose();
    const actual = numberMatrix(ds, ['petal_width'], test).map((r) => r[0]!);
    const predicted = out.map((r) => r[0]! * file.targetNormalization.std + file.targetNormalization.mean);
    const mae = predicted.reduce((s, p, i) => s + Math.abs(p - actual[i]!), 0) / actual.length;
    console.log(`iris regressor: train MAE ${run.result.finalMae.toFixed(4)}, test MAE ${mae.toFixed(4)} cm`);
    expect(mae).toBeLessThan(0.2);

    expect(run.outputs.model.properties).toMatchObject({
      format: 'sluice.tfjs-regressor',
      framework: 'tensorflow.js',
      modelType: 'dense-regressor',
      target: 'petal_width',
      epochs: 100,
      trainRows: 120,
      finalMae: run.result.finalMae,
    });
  });

  it('is reproducible with a seed', async () => {
    const a = await runComponent(trainRegressor, { train, target: 'petal_width', epochs: 3 });
    const b = await runComponent(trainRegressor, { train, target: 'petal_width', epochs: 3 });
    expect(await readFile(b.outputs.model.path, 'utf8')).toBe(await readFile(a.outputs.model.path, 'utf8'));
  });

  it('refuses a string target and a missing column, naming them', async () => {
    await expect(runComponent(trainRegressor, { train })).rejects.toThrow(/column "species" holds strings/);
    await expect(runComponent(trainRegressor, { train, target: 'height' })).rejects.toThrow(/no column "height"/);
  });
});
