import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCsv } from '../data/loadCsv';
import { loadIris } from '../data/loadIris';
import { split } from '../data/split';
import { cleanupComponentRuns, metricSeries, runComponent } from '../testing/runComponent';
import { inferSchema } from './inferSchema';
import { SchemaValidationError, validateSchema } from './validateSchema';

afterAll(cleanupComponentRuns);

const fixture = (name: string): string => join(import.meta.dirname, '..', 'testing', 'fixtures', name);

describe('validate-schema', () => {
  let schema: string;
  beforeAll(async () => {
    const iris = await runComponent(loadIris, {});
    schema = (await runComponent(inferSchema, { dataset: iris.outputs.dataset.path })).outputs.schema.path;
  });

  it('passes held-out data of the same kind, with a report and no anomalies', async () => {
    const iris = await runComponent(loadIris, {});
    const parts = await runComponent(split, { dataset: iris.outputs.dataset.path });
    const train = await runComponent(inferSchema, { dataset: parts.outputs.train.path });
    const run = await runComponent(validateSchema, { dataset: parts.outputs.test.path, schema: train.outputs.schema.path });
    expect(run.result).toEqual({ valid: true, anomalyCount: 0 });
    expect(await readFile(run.outputs.report.path, 'utf8')).toContain('**Valid**: no anomalies.');
    expect(JSON.parse(await readFile(run.outputs.anomalies.path, 'utf8'))).toEqual({ valid: true, anomalyCount: 0, anomalies: [] });
    expect(metricSeries(run, 'anomalies')).toEqual([0]);
  });

  it('fails on a missing column, naming the column and the file the data came from', async () => {
    const path = fixture('iris-no-petal-width.csv');
    const loaded = await runComponent(loadCsv, { path });
    const err = await runComponent(validateSchema, { dataset: loaded.outputs.dataset, schema }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SchemaValidationError);
    expect((err as Error).message).toBe(
      `validate-schema: dataset ${path} does not match the schema (1 anomaly):\n` +
        '  - dataset is missing column "petal_width" that the schema requires\n' +
        'Fix the data, infer the schema again from data that is right, or set failOnAnomalies to false to report without failing.',
    );
  });

  it('reports without failing when failOnAnomalies is false', async () => {
    const loaded = await runComponent(loadCsv, { path: fixture('stations.csv'), delimiter: ';' });
    const run = await runComponent(validateSchema, { dataset: loaded.outputs.dataset, schema, failOnAnomalies: false });
    // 5 iris columns missing, 6 unexpected station columns.
    expect(run.result).toEqual({ valid: false, anomalyCount: 11 });
    const report = await readFile(run.outputs.report.path, 'utf8');
    expect(report).toContain('**11 anomalies**');
    expect(report).toContain('| missing-column | `petal_width` |  | dataset is missing column "petal_width" that the schema requires |');
    expect(run.outputs.report.properties).toEqual({ valid: false, anomalyCount: 11, kinds: ['missing-column', 'unexpected-column'] });
    expect(metricSeries(run, 'anomalies')).toEqual([11]);
    const allowed = await runComponent(validateSchema, { dataset: loaded.outputs.dataset, schema, failOnAnomalies: false, allowExtraColumns: true });
    expect(allowed.result.anomalyCount).toBe(5);
  });

  it('declares where workers import it from', () => {
    expect(validateSchema.spec).toMatchObject({ name: 'validate-schema', outputs: { report: { type: 'Markdown' } }, impl: { module: 'sluice/components', export: 'validateSchema' } });
  });
});
