import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NonRetryableError } from 'sluice/dsl';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { columnValueType, InvalidDatasetError, numberMatrix, readDataset, writeDataset, type Dataset } from './dataset';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-dataset-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const sample: Dataset = {
  columns: [
    { name: 'x', type: 'number' },
    { name: 'label', type: 'string' },
  ],
  target: 'label',
  rows: [
    [1.5, 'a'],
    [-2, 'b'],
  ],
};

describe('Dataset files', () => {
  it('round-trip through writeDataset/readDataset, one row per line', async () => {
    const path = join(dir, 'sample.json');
    await writeDataset(path, sample);
    expect(await readDataset(path)).toEqual(sample);
    expect(await readFile(path, 'utf8')).toBe(
      '{"columns":[{"name":"x","type":"number"},{"name":"label","type":"string"}],"target":"label","rows":[\n[1.5,"a"],\n[-2,"b"]\n]}\n',
    );
  });

  it('round-trip an empty dataset without a target', async () => {
    const path = join(dir, 'empty.json');
    const empty: Dataset = { columns: [{ name: 'x', type: 'number' }], rows: [] };
    await writeDataset(path, empty);
    expect(await readDataset(path)).toEqual(empty);
  });

  const malformed: Array<[string, string, RegExp]> = [
    ['not JSON', '{"columns": [', /not valid JSON/],
    ['not an object', '[1, 2]', /expected a JSON object/],
    ['no columns', '{"columns": [], "rows": []}', /"columns" must be a non-empty array/],
    ['bad column type', '{"columns": [{"name": "x", "type": "date"}], "rows": []}', /column "x": type must be "number", "string" or "boolean"/],
    ['duplicate column', '{"columns": [{"name": "x", "type": "number"}, {"name": "x", "type": "number"}], "rows": []}', /column "x" appears twice/],
    ['short row', '{"columns": [{"name": "x", "type": "number"}, {"name": "y", "type": "number"}], "rows": [[1, 2], [3]]}', /row 1 has 1 cells; expected 2/],
    ['wrong cell type', '{"columns": [{"name": "x", "type": "number"}], "rows": [[1], ["2"]]}', /row 1, column "x": expected a number, got "2"/],
    ['missing value', '{"columns": [{"name": "s", "type": "string"}], "rows": [[null]]}', /row 0, column "s": expected a string, got null \(the column is not nullable\)/],
    ['bad nullable', '{"columns": [{"name": "s", "type": "string", "nullable": "yes"}], "rows": []}', /column "s": nullable must be true or false/],
    ['wrong boolean cell', '{"columns": [{"name": "b", "type": "boolean"}], "rows": [["true"]]}', /row 0, column "b": expected a boolean, got "true"/],
    ['unknown target', '{"columns": [{"name": "x", "type": "number"}], "rows": [], "target": "y"}', /"target" must name a column \(got "y"; columns: x\)/],
    ['unknown key', '{"columns": [{"name": "x", "type": "number"}], "rows": [], "label": "x"}', /unknown key "label"/],
  ];
  it.each(malformed)('reject %s with a non-retryable error naming the file', async (_what, content, message) => {
    const path = join(dir, 'malformed.json');
    await writeFile(path, content);
    const err = await readDataset(path).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidDatasetError);
    expect(err).toBeInstanceOf(NonRetryableError);
    expect((err as Error).message).toContain(`dataset ${path}: `);
    expect((err as Error).message).toMatch(message);
  });

  it('refuse to write a malformed dataset', async () => {
    const path = join(dir, 'never.json');
    await expect(writeDataset(path, { columns: [{ name: 'x', type: 'number' }], rows: [[Number.NaN]] })).rejects.toThrow(
      /row 0, column "x": expected a number/,
    );
  });

  it('round-trip boolean columns and missing values in nullable columns', async () => {
    const path = join(dir, 'nullable.json');
    const ds: Dataset = {
      columns: [
        { name: 'x', type: 'number', nullable: true },
        { name: 'ok', type: 'boolean' },
        { name: 's', type: 'string', nullable: true },
      ],
      rows: [
        [1, true, null],
        [null, false, 'b'],
      ],
    };
    await writeDataset(path, ds);
    expect(await readDataset(path)).toEqual(ds);
    expect(columnValueType(ds, 0)).toBe('int');
    expect(columnValueType(ds, 1)).toBe('bool');
    expect(columnValueType(ds, 2)).toBe('string');
    expect(columnValueType(sample, 0)).toBe('float');
    expect(() => numberMatrix(ds, ['x'], 'ds')).toThrow('dataset ds: column "x" has a missing value in row 1; impute or drop missing values first');
    expect(() => numberMatrix(ds, ['ok'], 'ds')).toThrow(/column "ok" holds booleans/);
  });

  it('extract number columns as a matrix, refusing string columns', () => {
    expect(numberMatrix(sample, ['x'], 'sample')).toEqual([[1.5], [-2]]);
    expect(() => numberMatrix(sample, ['label'], 'sample')).toThrow(/column "label" holds strings/);
    expect(() => numberMatrix(sample, ['nope'], 'sample')).toThrow('dataset sample: no column "nope" (columns: x, label)');
  });
});
