import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { irisDataset } from '../data/loadIris';
import { loadIris } from '../data/loadIris';
import { split } from '../data/split';
import { writeDataset } from '../dataset';
import { cleanupComponentRuns, metricSeries, runComponent } from '../testing/runComponent';
import { driftCheck } from './driftCheck';

afterAll(cleanupComponentRuns);

describe('drift-check', () => {
  let iris: string;
  let dir: string;
  beforeAll(async () => {
    const run = await runComponent(loadIris, {});
    iris = run.outputs.dataset.path;
    dir = run.dir;
  });

  it('finds no drift between the iris train and test splits', async () => {
    const parts = await runComponent(split, { dataset: iris });
    const run = await runComponent(driftCheck, { reference: parts.outputs.train.path, current: parts.outputs.test.path });
    expect(run.result).toEqual({ passed: true, driftedFeatures: [] });
    const report = JSON.parse(await readFile(run.outputs.report.path, 'utf8')) as { features: Record<string, { psi: number; ks: { pValue: number } }>; rule: string };
    expect(Object.keys(report.features)).toEqual(['sepal_length', 'sepal_width', 'petal_length', 'petal_width']);
    for (const f of Object.values(report.features)) expect(f.ks.pValue).toBeGreaterThan(0.05);
    expect(report.rule).toBe('drifted when PSI > 0.2 and KS p-value < 0.05');
    expect(metricSeries(run, 'drifted_features')).toEqual([0]);
    expect(metricSeries(run, 'psi.petal_length')).toEqual([report.features.petal_length!.psi]);
  });

  it('detects a shifted feature, and only that one', async () => {
    const shifted = irisDataset();
    const j = shifted.columns.findIndex((c) => c.name === 'petal_length');
    // One centimetre longer petals: about half a standard deviation of petal_length.
    shifted.rows = shifted.rows.map((r) => r.map((v, k) => (k === j ? (v as number) + 1 : v)));
    const path = join(dir, 'shifted.json');
    await writeDataset(path, shifted);

    const run = await runComponent(driftCheck, { reference: iris, current: path });
    expect(run.result).toEqual({ passed: false, driftedFeatures: ['petal_length'] });
    const [psi] = metricSeries(run, 'psi.petal_length');
    const [p] = metricSeries(run, 'ks_pvalue.petal_length');
    expect(psi).toBeGreaterThan(0.2);
    expect(p).toBeLessThan(0.05);
    expect(metricSeries(run, 'psi.sepal_length')).toEqual([0]);
    expect(metricSeries(run, 'ks_statistic.sepal_length')).toEqual([0]);
    expect(metricSeries(run, 'ks_pvalue.sepal_length')).toEqual([1]);
    expect(run.outputs.report.properties).toMatchObject({ passed: false, driftedFeatures: ['petal_length'] });
  });

  it('refuses bad parameters and a current dataset without a feature', async () => {
    await expect(runComponent(driftCheck, { reference: iris, current: iris, ksAlpha: 1.5 })).rejects.toThrow(/ksAlpha must be between 0 and 1; got 1.5/);
    await expect(runComponent(driftCheck, { reference: iris, current: iris, bins: 1 })).rejects.toThrow(/bins must be an integer of at least 2/);
    const path = join(dir, 'narrow.json');
    await writeDataset(path, { columns: [{ name: 'sepal_length', type: 'number' }], rows: [[5.1]] });
    await expect(runComponent(driftCheck, { reference: iris, current: path })).rejects.toThrow(`dataset ${path}: no column "sepal_width" (columns: sepal_length)`);
    await expect(runComponent(driftCheck, { reference: iris, current: iris, columns: ['species'] })).rejects.toThrow(/column "species" holds strings/);
  });

  it('declares where workers import it from', () => {
    expect(driftCheck.spec).toMatchObject({ name: 'drift-check', outputs: { report: { type: 'Metrics' }, driftedFeatures: { type: 'list<string>' } }, impl: { module: 'sluice/components', export: 'driftCheck' } });
  });
});
