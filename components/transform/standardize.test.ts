import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadIris } from '../data/loadIris';
import { split } from '../data/split';
import { readDataset, type Dataset } from '../dataset';
import { cleanupComponentRuns, runComponent } from '../testing/runComponent';
import { numericSummary } from '../validate/statistics';
import { standardize } from './standardize';
import { readTransform } from './transform';

afterAll(cleanupComponentRuns);

const column = (ds: Dataset, name: string): number[] => {
  const j = ds.columns.findIndex((c) => c.name === name);
  return ds.rows.map((r) => r[j] as number);
};

describe('standardize', () => {
  let trainPath: string;
  let testPath: string;
  beforeAll(async () => {
    const iris = await runComponent(loadIris, {});
    const parts = await runComponent(split, { dataset: iris.outputs.dataset.path });
    trainPath = parts.outputs.train.path;
    testPath = parts.outputs.test.path;
  });

  it('z-scores the four iris measurements on train (mean 0, std 1) and scales test with the train parameters', async () => {
    const run = await runComponent(standardize, { train: trainPath, test: testPath });
    const train = await readDataset(run.outputs.trainScaled.path);
    const test = await readDataset(run.outputs.testScaled.path);
    const transform = await readTransform(run.outputs.transform.path);
    expect(transform.method).toBe('zscore');
    expect(transform.columns.map((c) => c.name)).toEqual(['sepal_length', 'sepal_width', 'petal_length', 'petal_width']);
    for (const name of ['sepal_length', 'petal_width']) {
      const s = numericSummary(column(train, name))!;
      expect(s.mean).toBeCloseTo(0, 10);
      expect(s.std).toBeCloseTo(1, 10);
    }
    // The test rows use the train mean/std: transform back and get the original values.
    const rawTest = await readDataset(testPath);
    if (transform.method !== 'zscore') throw new Error('unreachable');
    const p = transform.columns[2]!;
    expect(column(test, 'petal_length').map((z) => z * p.std + p.mean).map((v) => Number(v.toFixed(6)))).toEqual(column(rawTest, 'petal_length'));
    // The target passes through untouched.
    expect(test.rows.map((r) => r[4])).toEqual(rawTest.rows.map((r) => r[4]));
    expect(run.outputs.transform.properties).toEqual({ method: 'zscore', columns: transform.columns.map((c) => c.name), fittedRows: 120 });
  });

  it('scales min-max into [0, 1] on train, only the listed columns', async () => {
    const run = await runComponent(standardize, { train: trainPath, test: testPath, method: 'minmax', columns: ['sepal_width'] });
    const train = await readDataset(run.outputs.trainScaled.path);
    const s = numericSummary(column(train, 'sepal_width'))!;
    expect([s.min, s.max]).toEqual([0, 1]);
    expect(column(train, 'sepal_length')).toEqual(column(await readDataset(trainPath), 'sepal_length'));
    expect(JSON.parse(await readFile(run.outputs.transform.path, 'utf8'))).toMatchObject({ method: 'minmax', columns: [{ name: 'sepal_width' }] });
  });

  it('refuses an unknown method, and nothing to scale', async () => {
    await expect(runComponent(standardize, { train: trainPath, test: testPath, method: 'robust' })).rejects.toThrow(
      'standardize: method must be one of zscore, minmax; got "robust"',
    );
    await expect(runComponent(standardize, { train: trainPath, test: testPath, exclude: ['sepal_length', 'sepal_width', 'petal_length', 'petal_width'] })).rejects.toThrow(
      /has no number columns to scale/,
    );
  });

  it('declares where workers import it from', () => {
    expect(standardize.spec).toMatchObject({ name: 'standardize', outputs: { transform: { type: 'Transform' } }, impl: { module: 'sluice/components', export: 'standardize' } });
  });
});
