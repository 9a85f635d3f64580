import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { irisDataset } from '../data/loadIris';
import { InvalidSchemaError, readSchema, schemaFromStatistics, typeFits } from './schema';
import { datasetStatistics } from './statistics';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-schema-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('schema', () => {
  it('is inferred from statistics: types, required, slack-widened ranges, categories', () => {
    const schema = schemaFromStatistics(datasetStatistics(irisDataset()), { rangeSlack: 0.5 });
    expect(schema.target).toBe('species');
    const sepal = schema.columns[0]!;
    // sepal_length spans 4.3..7.9 (width 3.6): half the width more on each side.
    expect(sepal).toMatchObject({ name: 'sepal_length', type: 'float', required: true });
    expect(sepal.min).toBeCloseTo(2.5, 10);
    expect(sepal.max).toBeCloseTo(9.7, 10);
    expect(schema.columns[4]).toEqual({ name: 'species', type: 'string', required: true, categories: ['setosa', 'versicolor', 'virginica'] });
    expect(schemaFromStatistics(datasetStatistics(irisDataset()), { rangeSlack: 0 }).columns[0]).toMatchObject({ min: 4.3, max: 7.9 });
  });

  it('lists categories only for low-cardinality string columns whose statistics list them all', () => {
    const rows = Array.from({ length: 30 }, (_, i) => [`id-${i}`, i % 2 === 0 ? 'even' : 'odd', i === 0 ? null : i]);
    const stats = datasetStatistics({
      columns: [
        { name: 'id', type: 'string' },
        { name: 'parity', type: 'string' },
        { name: 'n', type: 'number', nullable: true },
      ],
      rows,
    });
    const schema = schemaFromStatistics(stats, { maxCategories: 20 });
    expect(schema.columns[0]).toEqual({ name: 'id', type: 'string', required: true });
    expect(schema.columns[1]).toEqual({ name: 'parity', type: 'string', required: true, categories: ['even', 'odd'] });
    expect(schema.columns[2]).toMatchObject({ name: 'n', type: 'int', required: false });
    const truncated = datasetStatistics({ columns: [{ name: 'parity', type: 'string' }], rows: rows.map((r) => [r[1]!]) }, { maxCategories: 1 });
    expect(schemaFromStatistics(truncated).columns[0]!.categories).toBeUndefined();
  });

  it('lets an int column fit a float schema, not the reverse', () => {
    expect(typeFits('int', 'float')).toBe(true);
    expect(typeFits('float', 'int')).toBe(false);
    expect(typeFits('string', 'bool')).toBe(false);
  });

  it('files are checked when read, with the file and the problem named', async () => {
    const path = join(dir, 'schema.json');
    await writeFile(path, JSON.stringify({ format: 'sluice.schema', formatVersion: 1, columns: [{ name: 'x', type: 'float', required: true, min: 2, max: 1 }] }));
    const err = await readSchema(path).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidSchemaError);
    expect((err as Error).message).toBe(`schema ${path}: not a sluice.schema file at columns.0: min must not exceed max (make it with infer-schema)`);
    const twice = { format: 'sluice.schema', formatVersion: 1, columns: [{ name: 'x', type: 'int', required: true }, { name: 'x', type: 'int', required: false }] };
    await writeFile(path, JSON.stringify(twice));
    await expect(readSchema(path)).rejects.toThrow(/a column is listed twice/);
  });
});
