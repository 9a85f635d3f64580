/**
 * Bad data stops a real run (Temporal dev server, PGlite) with a task error a person can act on:
 * a CSV missing a column the schema requires fails `validate-schema` naming the column and the
 * file, and a ragged CSV fails `load-csv` naming the file and the line. Both fail at once
 * (non-retryable), and good data passes.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as components from '../../components/index';
import { inferSchema, loadCsv, validateSchema } from '../../components/index';
import { pipeline, t } from '../../dsl/index';
import type { ExecutionRecord } from '../../engine/stores/metadata/MetadataStore';
import { startTestStack, type TestStack } from '../support/stackHarness';

const fixture = (name: string): string => path.resolve(import.meta.dirname, '../../components/testing/fixtures', name);
const byTask = (execs: ExecutionRecord[]): Record<string, ExecutionRecord> => Object.fromEntries(execs.map((e) => [e.taskId, e]));

/** Infer a schema from a reference CSV, then check a candidate CSV against it. */
const csvCheck = pipeline(
  { name: 'csv-check', inputs: { reference: t.string(), candidate: t.string() } },
  (p) => {
    const reference = p.task(loadCsv, { path: p.inputs.reference }, { id: 'load-reference' });
    const schema = p.task(inferSchema, { dataset: reference.outputs.dataset });
    const candidate = p.task(loadCsv, { path: p.inputs.candidate }, { id: 'load-candidate' });
    const checked = p.task(validateSchema, { dataset: candidate.outputs.dataset, schema: schema.outputs.schema });
    return { report: checked.outputs.report };
  },
);

describe('data validation in a real run', () => {
  let ts: TestStack;
  beforeAll(async () => {
    ts = await startTestStack('pglite', [components]);
  });
  afterAll(async () => {
    await ts?.stop();
  });

  it('passes a candidate of the same shape', async () => {
    const run = await ts.run(csvCheck, { reference: fixture('iris-sample.csv'), candidate: fixture('iris-sample.csv') });
    expect(run.error).toBeNull();
    expect(run.status).toBe('succeeded');
    const e = byTask(await ts.stack.metadata.listExecutions(run.id));
    expect(e['validate-schema']?.outputParams).toEqual({ valid: true, anomalyCount: 0 });
  });

  it('fails validate-schema on a CSV missing a required column, naming the column and the file', async () => {
    const candidate = fixture('iris-no-petal-width.csv');
    const run = await ts.run(csvCheck, { reference: fixture('iris-sample.csv'), candidate });
    expect(run.status).toBe('failed');
    expect(run.failedTask).toBe('validate-schema');
    expect(run.error).toContain('dataset is missing column "petal_width" that the schema requires');
    expect(run.error).toContain(`dataset ${candidate} does not match the schema (1 anomaly)`);
    expect(byTask(await ts.stack.metadata.listExecutions(run.id))['validate-schema']?.attempt).toBe(1); // not retried
  });

  it('fails load-csv on a ragged CSV, naming the file and the line', async () => {
    const candidate = fixture('iris-ragged.csv');
    const run = await ts.run(csvCheck, { reference: fixture('iris-sample.csv'), candidate });
    expect(run.status).toBe('failed');
    expect(run.failedTask).toBe('load-candidate');
    expect(run.error).toContain(`${candidate} line 7: 3 fields, the header has 5`);
    expect(byTask(await ts.stack.metadata.listExecutions(run.id))['load-candidate']?.attempt).toBe(1);
  });
});
