import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadCsv } from '../data/loadCsv';
import { loadIris } from '../data/loadIris';
import { cleanupComponentRuns, runComponent } from '../testing/runComponent';
import { computeStatistics } from './computeStatistics';
import { inferSchema } from './inferSchema';
import { readSchema } from './schema';

afterAll(cleanupComponentRuns);

const fixture = (name: string): string => join(import.meta.dirname, '..', 'testing', 'fixtures', name);

describe('infer-schema', () => {
  it('infers a schema from a dataset, or from its statistics, with the same result', async () => {
    const loaded = await runComponent(loadCsv, { path: fixture('stations.csv'), delimiter: ';' });
    const dataset = loaded.outputs.dataset.path;
    const stats = await runComponent(computeStatistics, { dataset });
    const direct = await runComponent(inferSchema, { dataset, rangeSlack: 0 });
    const viaStats = await runComponent(inferSchema, { dataset, statistics: stats.outputs.statistics.path, rangeSlack: 0 });
    const schema = await readSchema(direct.outputs.schema.path);
    expect(await readSchema(viaStats.outputs.schema.path)).toEqual(schema);
    expect(schema.columns).toEqual([
      { name: 'station', type: 'int', required: true, min: 1, max: 4 },
      { name: 'name', type: 'string', required: true, categories: ['Bergen "Florida"', 'Finse', 'Oslo, Blindern', 'Tromsø'] },
      { name: 'zip', type: 'string', required: true, categories: ['0313', '3590', '5007', '9019'] },
      { name: 'elevation_m', type: 'int', required: false, min: 12, max: 1222 },
      { name: 'active', type: 'bool', required: false },
      { name: 'notes', type: 'string', required: false, categories: ['coastal', 'high', 'two\r\nlines'] },
    ]);
    expect(direct.outputs.schema.properties).toMatchObject({ required: ['station', 'name', 'zip'], categorical: ['name', 'zip', 'notes'] });
  });

  it('refuses statistics of other data, and bad parameters', async () => {
    const stations = await runComponent(loadCsv, { path: fixture('stations.csv'), delimiter: ';' });
    const iris = await runComponent(loadIris, {});
    const stats = await runComponent(computeStatistics, { dataset: stations.outputs.dataset.path });
    await expect(runComponent(inferSchema, { dataset: iris.outputs.dataset.path, statistics: stats.outputs.statistics.path })).rejects.toThrow(
      /statistics .* \(4 rows; station, name, zip, elevation_m, active, notes\) do not describe dataset .* \(150 rows; sepal_length, .*\); wire the statistics of this dataset/,
    );
    await expect(runComponent(inferSchema, { dataset: iris.outputs.dataset.path, rangeSlack: -1 })).rejects.toThrow(/rangeSlack must be 0 or more/);
  });

  it('declares where workers import it from', () => {
    expect(inferSchema.spec).toMatchObject({ name: 'infer-schema', outputs: { schema: { type: 'Schema' } }, impl: { module: 'sluice/components', export: 'inferSchema' } });
  });
});
