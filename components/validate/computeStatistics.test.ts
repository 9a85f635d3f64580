import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadCsv } from '../data/loadCsv';
import { cleanupComponentRuns, metricSeries, runComponent } from '../testing/runComponent';
import { computeStatistics } from './computeStatistics';
import { readStatistics } from './statistics';

afterAll(cleanupComponentRuns);

const fixture = (name: string): string => join(import.meta.dirname, '..', 'testing', 'fixtures', name);

describe('compute-statistics', () => {
  it('writes a Statistics file and records rows and missing values as metrics', async () => {
    const loaded = await runComponent(loadCsv, { path: fixture('stations.csv'), delimiter: ';' });
    const run = await runComponent(computeStatistics, { dataset: loaded.outputs.dataset.path });
    const stats = await readStatistics(run.outputs.statistics.path);
    expect(stats.rows).toBe(4);
    expect(stats.columns.map((c) => `${c.name}:${c.type}:${c.missing}`)).toEqual([
      'station:int:0',
      'name:string:0',
      'zip:string:0',
      'elevation_m:int:1',
      'active:bool:1',
      'notes:string:1',
    ]);
    expect(stats.columns[3]!.numeric).toMatchObject({ min: 12, max: 1222 });
    expect(run.result).toEqual({ rows: 4, missingCells: 3 });
    expect(metricSeries(run, 'rows')).toEqual([4]);
    expect(metricSeries(run, 'missing_cells')).toEqual([3]);
    expect(metricSeries(run, 'missing_fraction')).toEqual([3 / 24]);
    expect(run.outputs.statistics.properties).toMatchObject({ missingCells: 3, columnsWithMissing: ['elevation_m', 'active', 'notes'] });
  });

  it('caps the categories it lists and refuses a bad cap', async () => {
    const loaded = await runComponent(loadCsv, { path: fixture('iris-sample.csv') });
    const run = await runComponent(computeStatistics, { dataset: loaded.outputs.dataset.path, maxCategories: 2 });
    const species = (await readStatistics(run.outputs.statistics.path)).columns[4]!;
    expect(species.categories).toMatchObject({ distinct: 3, truncated: true });
    expect(species.categories?.top).toHaveLength(2);
    await expect(runComponent(computeStatistics, { dataset: loaded.outputs.dataset.path, maxCategories: 0 })).rejects.toThrow(
      /maxCategories must be a positive integer; got 0/,
    );
  });

  it('declares where workers import it from', () => {
    expect(computeStatistics.spec).toMatchObject({
      name: 'compute-statistics',
      outputs: { statistics: { kind: 'artifact', type: 'Statistics' } },
      impl: { module: 'sluice/components', export: 'computeStatistics' },
    });
  });
});
