import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadIris } from '../data/loadIris';
import { split } from '../data/split';
import { writeDataset } from '../dataset';
import { cleanupComponentRuns, runComponent } from '../testing/runComponent';
import { applyTransform } from './applyTransform';
import { standardize } from './standardize';

afterAll(cleanupComponentRuns);

describe('apply-transform', () => {
  it('gives new data exactly the scaling standardize gave the test set', async () => {
    const iris = await runComponent(loadIris, {});
    const parts = await runComponent(split, { dataset: iris.outputs.dataset.path });
    const fitted = await runComponent(standardize, { train: parts.outputs.train.path, test: parts.outputs.test.path });
    const run = await runComponent(applyTransform, { transform: fitted.outputs.transform.path, dataset: parts.outputs.test.path });
    expect(await readFile(run.outputs.scaled.path, 'utf8')).toBe(await readFile(fitted.outputs.testScaled.path, 'utf8'));
    expect(run.outputs.scaled.properties).toMatchObject({ rows: 30, scaling: 'zscore' });

    const serving = join(run.dir, 'serving.json');
    await writeDataset(serving, { columns: [{ name: 'sepal_length', type: 'number' }, { name: 'petal_length', type: 'number' }], rows: [[5.1, 1.4]] });
    await expect(runComponent(applyTransform, { transform: fitted.outputs.transform.path, dataset: serving })).rejects.toThrow(
      `dataset ${serving} lacks column "sepal_width" that the zscore transform was fitted on (columns: sepal_length, petal_length)`,
    );
    const notTransform = join(run.dir, 'metrics.json');
    await writeFile(notTransform, '{"accuracy": 1}');
    await expect(runComponent(applyTransform, { transform: notTransform, dataset: serving })).rejects.toThrow(/not a sluice.transform file/);
  });

  it('declares where workers import it from', () => {
    expect(applyTransform.spec).toMatchObject({ name: 'apply-transform', impl: { module: 'sluice/components', export: 'applyTransform' } });
  });
});
