import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { NonRetryableError } from 'sluice/dsl';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readDataset } from '../dataset';
import { cleanupComponentRuns, runComponent } from '../testing/runComponent';
import { loadCsv, parseCsv } from './loadCsv';
import { SourceFileError } from './sourceFile';

const fixture = (name: string): string => join(import.meta.dirname, '..', 'testing', 'fixtures', name);

let dir: string;
const savedRoots = process.env.SLUICE_DATA_ROOTS;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-load-csv-'));
  // The fixtures lie below the working directory; the temp files need their directory allowed too.
  process.env.SLUICE_DATA_ROOTS = [process.cwd(), dir].join(delimiter);
});
afterAll(async () => {
  if (savedRoots === undefined) delete process.env.SLUICE_DATA_ROOTS;
  else process.env.SLUICE_DATA_ROOTS = savedRoots;
  await cleanupComponentRuns();
  await rm(dir, { recursive: true, force: true });
});

describe('load-csv', () => {
  it('loads iris rows with inferred number and string columns, and the target', async () => {
    const run = await runComponent(loadCsv, { path: fixture('iris-sample.csv'), target: 'species' });
    const ds = await readDataset(run.outputs.dataset.path);
    expect(ds.columns).toEqual([
      { name: 'sepal_length', type: 'number' },
      { name: 'sepal_width', type: 'number' },
      { name: 'petal_length', type: 'number' },
      { name: 'petal_width', type: 'number' },
      { name: 'species', type: 'string' },
    ]);
    expect(ds.target).toBe('species');
    expect(ds.rows).toHaveLength(9);
    expect(ds.rows[3]).toEqual([7, 3.2, 4.7, 1.4, 'versicolor']);
    expect(run.result).toEqual({ rows: 9 });
    expect(run.outputs.dataset.properties).toMatchObject({
      rows: 9,
      target: 'species',
      columnTypes: { sepal_length: 'float', species: 'string' },
      source: fixture('iris-sample.csv'),
    });
  });

  it('handles quoting, an escaped quote, a quoted line break, CRLF, a delimiter, booleans and missing values', async () => {
    const run = await runComponent(loadCsv, { path: fixture('stations.csv'), delimiter: ';' });
    const ds = await readDataset(run.outputs.dataset.path);
    expect(ds.columns).toEqual([
      { name: 'station', type: 'number' },
      { name: 'name', type: 'string' },
      { name: 'zip', type: 'string' }, // "0313": a code, not the number 313
      { name: 'elevation_m', type: 'number', nullable: true },
      { name: 'active', type: 'boolean', nullable: true },
      { name: 'notes', type: 'string', nullable: true },
    ]);
    expect(ds.rows).toEqual([
      [1, 'Oslo, Blindern', '0313', 94, true, null],
      [2, 'Bergen "Florida"', '5007', 12, true, 'coastal'],
      [3, 'Tromsø', '9019', null, false, 'two\r\nlines'],
      [4, 'Finse', '3590', 1222, null, 'high'],
    ]);
    expect(run.outputs.dataset.properties.columnTypes).toEqual({
      station: 'int',
      name: 'string',
      zip: 'string',
      elevation_m: 'int',
      active: 'bool',
      notes: 'string',
    });
  });

  it('keeps only the listed columns, in order, and takes its own missing-value markers', async () => {
    const run = await runComponent(loadCsv, { path: fixture('stations.csv'), delimiter: ';', columns: ['elevation_m', 'name'], missingValues: [''] });
    const ds = await readDataset(run.outputs.dataset.path);
    expect(ds.columns.map((c) => `${c.name}:${c.type}`)).toEqual(['elevation_m:string', 'name:string']);
    expect(ds.rows[2]).toEqual(['NA', 'Tromsø']);
  });

  it('names the file and the line of a ragged row', async () => {
    const path = fixture('iris-ragged.csv');
    const err = await runComponent(loadCsv, { path }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SourceFileError);
    expect(err).toBeInstanceOf(NonRetryableError);
    expect((err as Error).message).toBe(`${path} line 7: 3 fields, the header has 5`);
  });

  it('refuses an empty file, a header without rows and a missing or unreadable path', async () => {
    const empty = join(dir, 'empty.csv');
    await writeFile(empty, '\n  \n');
    await expect(runComponent(loadCsv, { path: empty })).rejects.toThrow(`${empty}: the file is empty; expected a header row and data rows`);
    const headerOnly = join(dir, 'header.csv');
    await writeFile(headerOnly, 'a,b\n');
    await expect(runComponent(loadCsv, { path: headerOnly })).rejects.toThrow(`${headerOnly}: the header has no data rows under it`);
    const nowhere = join(dir, 'nope.csv');
    await expect(runComponent(loadCsv, { path: nowhere })).rejects.toThrow(`load-csv: cannot read ${nowhere}: no such file`);
    await expect(runComponent(loadCsv, { path: dir })).rejects.toThrow(`load-csv: cannot read ${dir}: it is a directory`);
    if (process.getuid?.() !== 0) {
      // root reads any file, so the permission case only shows for other users.
      const locked = join(dir, 'locked.csv');
      await writeFile(locked, 'a\n1\n');
      await chmod(locked, 0o000);
      await expect(runComponent(loadCsv, { path: locked })).rejects.toThrow(/permission denied/);
    }
  });

  it('refuses a bad header, unterminated quotes, an unknown target or column, with file and line', () => {
    expect(() => parseCsv('a,,c\n1,2,3\n', 'h.csv')).toThrow('h.csv line 1: header field 2 is empty; every column needs a name');
    expect(() => parseCsv('a,b,a\n1,2,3\n', 'h.csv')).toThrow('h.csv line 1: column "a" appears twice in the header (fields 1 and 3)');
    expect(() => parseCsv('a,b\n1,"2\n3,4\n', 'q.csv')).toThrow(/^q\.csv line \d: malformed CSV: Quote Not Closed/);
    expect(() => parseCsv('a,b\n1,2\n', 't.csv', { target: 'c' })).toThrow('t.csv: target "c" is not a column (columns: a, b)');
    expect(() => parseCsv('a,b\n1,2\n', 't.csv', { columns: ['b'], target: 'a' })).toThrow('t.csv: target "a" is not a column (columns: b)');
    expect(() => parseCsv('a,b\n1,2\n', 'd.csv', { delimiter: '"' })).toThrow(/d\.csv: delimiter "\\"" cannot separate fields/);
  });

  it('refuses control characters as a delimiter (NUL would make the whole line one field), but takes a tab', () => {
    for (const delimiter of ['\u0000', '\u0001', '\u001f', '\u007f', ',\u0000']) {
      expect(() => parseCsv('a,b\n1,2\n', 'd.csv', { delimiter })).toThrow(/^d\.csv: delimiter .* cannot separate fields/);
    }
    expect(parseCsv('a\tb\n1\t2\n', 'd.csv', { delimiter: '\t' }).rows).toEqual([[1, 2]]);
  });

  it('does not quote the offending field of malformed CSV back in the error', () => {
    const err = (() => {
      try {
        return parseCsv('a,b\nroot,s3cr3t"x"\n', 'q.csv');
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(SourceFileError);
    expect((err as Error).message).toMatch(/^q\.csv line 2: malformed CSV: Invalid Opening Quote: a quote is found on field 1 at line 2/);
    expect((err as Error).message).not.toContain('s3cr3t');
  });

  it('skips blank lines but counts them in line numbers, and trims header names', () => {
    expect(() => parseCsv('a,b\n\n1,2\n\n3\n', 'b.csv')).toThrow('b.csv line 5: 1 field, the header has 2');
    expect(parseCsv('\uFEFF a , b\n1,x\n', 'b.csv').columns.map((c) => c.name)).toEqual(['a', 'b']);
  });

  it('is not cached (the path names the file, not its content) and declares where workers import it from', () => {
    expect(loadCsv.spec).toMatchObject({ name: 'load-csv', category: 'data', impl: { module: 'sluice/components', export: 'loadCsv' } });
    expect(loadCsv.spec.cache).toEqual({ enabled: false });
  });
});
