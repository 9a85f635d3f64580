import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readDataset } from '../dataset';
import { cleanupComponentRuns, runComponent } from '../testing/runComponent';
import { loadJsonLines, parseJsonLines } from './loadJsonLines';
import { SourceFileError } from './sourceFile';

const fixture = (name: string): string => join(import.meta.dirname, '..', 'testing', 'fixtures', name);

let dir: string;
const savedRoots = process.env.SLUICE_DATA_ROOTS;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-load-jsonl-'));
  // The fixtures lie below the working directory; the temp files need their directory allowed too.
  process.env.SLUICE_DATA_ROOTS = [process.cwd(), dir].join(delimiter);
});
afterAll(async () => {
  if (savedRoots === undefined) delete process.env.SLUICE_DATA_ROOTS;
  else process.env.SLUICE_DATA_ROOTS = savedRoots;
  await cleanupComponentRuns();
  await rm(dir, { recursive: true, force: true });
});

describe('load-json-lines', () => {
  it('takes the union of keys as columns, in first-seen order, with absent keys as missing values', async () => {
    const run = await runComponent(loadJsonLines, { path: fixture('iris-sample.jsonl'), target: 'species' });
    const ds = await readDataset(run.outputs.dataset.path);
    expect(ds.columns).toEqual([
      { name: 'sepal_length', type: 'number' },
      { name: 'sepal_width', type: 'number' },
      { name: 'petal_length', type: 'number' },
      { name: 'petal_width', type: 'number', nullable: true },
      { name: 'species', type: 'string' },
      { name: 'verified', type: 'boolean', nullable: true },
    ]);
    expect(ds.rows).toEqual([
      [5.1, 3.5, 1.4, 0.2, 'setosa', null],
      [7, 3.2, 4.7, 1.4, 'versicolor', null],
      [6.3, 3.3, 6, null, 'virginica', true],
    ]);
    expect(ds.target).toBe('species');
    expect(run.result).toEqual({ rows: 3 });
    expect(run.outputs.dataset.properties.columnTypes).toMatchObject({ petal_width: 'float', verified: 'bool' });
  });

  it('names the file and line of bad JSON', async () => {
    const path = fixture('bad-line.jsonl');
    const err = await runComponent(loadJsonLines, { path }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SourceFileError);
    expect((err as Error).message).toMatch(new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} line 3: not valid JSON \\(`));
  });

  it('does not quote the line back when it is not JSON', () => {
    expect(() => parseJsonLines('root:x:0:0:s3cr3t\n', '/data/f.jsonl')).toThrow(/^\/data\/f\.jsonl line 1: not valid JSON \(Unexpected token 'r'\)$/);
  });

  it('refuses non-object lines, nested values, empty files and missing paths', async () => {
    expect(() => parseJsonLines('{"a": 1}\n[1, 2]\n', 'f.jsonl')).toThrow('f.jsonl line 2: expected a JSON object, got an array');
    expect(() => parseJsonLines('{"a": 1}\r\n\r\n42\r\n', 'f.jsonl')).toThrow('f.jsonl line 3: expected a JSON object, got a number');
    expect(() => parseJsonLines('{"a": {"b": 1}}\n', 'f.jsonl')).toThrow(
      'f.jsonl line 1: key "a" holds an object; a Dataset column holds numbers, strings, booleans or null',
    );
    expect(() => parseJsonLines('{"a": 1e400}\n', 'f.jsonl')).toThrow(/line 1: key "a" holds Infinity/);
    expect(() => parseJsonLines('\n\n', 'f.jsonl')).toThrow('f.jsonl: the file is empty; expected one JSON object per line');
    const empty = join(dir, 'empty.jsonl');
    await writeFile(empty, '');
    await expect(runComponent(loadJsonLines, { path: empty })).rejects.toThrow(`${empty}: the file is empty`);
    await expect(runComponent(loadJsonLines, { path: join(dir, 'nope.jsonl') })).rejects.toThrow(/load-json-lines: cannot read .*nope\.jsonl: no such file/);
  });

  it('reads a key with mixed types as strings and logs it; keeps listed columns only', async () => {
    const path = join(dir, 'mixed.jsonl');
    await writeFile(path, '{"id": 1, "code": 7}\n{"id": 2, "code": "A7"}\n');
    const run = await runComponent(loadJsonLines, { path, columns: ['code'] });
    const ds = await readDataset(run.outputs.dataset.path);
    expect(ds).toEqual({ columns: [{ name: 'code', type: 'string' }], rows: [['7'], ['A7']] });
    expect(run.logs.map((l) => l.message)).toContain('column "code" mixes JSON types; read as strings');
  });

  it('declares where workers import it from', () => {
    expect(loadJsonLines.spec).toMatchObject({ name: 'load-json-lines', category: 'data', impl: { module: 'sluice/components', export: 'loadJsonLines' } });
  });
});
