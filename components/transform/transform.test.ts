import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Dataset } from '../dataset';
import { applyTransformTo, featureColumns, fitTransform, InvalidTransformError, readTransform } from './transform';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-transform-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const train: Dataset = {
  columns: [
    { name: 'a', type: 'number' },
    { name: 'b', type: 'number', nullable: true },
    { name: 'c', type: 'number' },
    { name: 'label', type: 'number' },
    { name: 'tag', type: 'string' },
  ],
  target: 'label',
  rows: [
    [2, 10, 7, 0, 'x'],
    [4, null, 7, 1, 'y'],
    [6, 30, 7, 0, 'x'],
  ],
};

describe('transform', () => {
  it('picks every number column but the target and the excluded ones, or exactly those listed', () => {
    expect(featureColumns(train, 't')).toEqual(['a', 'b', 'c']);
    expect(featureColumns(train, 't', undefined, ['c'])).toEqual(['a', 'b']);
    expect(featureColumns(train, 't', ['label'])).toEqual(['label']);
    expect(() => featureColumns(train, 't', ['tag'])).toThrow('dataset t: column "tag" holds strings; only number columns can be scaled');
    expect(() => featureColumns(train, 't', ['nope'])).toThrow(/no column "nope"/);
  });

  it('fits z-scores (population std), skipping missing values, and shifts constant columns without scaling', () => {
    const t = fitTransform(train, ['a', 'b', 'c'], 'zscore', 't');
    // a: mean 4, population std sqrt(8/3); b: 10 and 30 → mean 20, std 10; c: constant 7.
    expect(t).toEqual({
      format: 'sluice.transform',
      formatVersion: 1,
      method: 'zscore',
      fittedRows: 3,
      columns: [
        { name: 'a', mean: 4, std: Math.sqrt(8 / 3) },
        { name: 'b', mean: 20, std: 10 },
        { name: 'c', mean: 7, std: 0 },
      ],
    });
    const s = Math.sqrt(8 / 3);
    expect(applyTransformTo(train, t, 't').rows).toEqual([
      [-2 / s, -1, 0, 0, 'x'],
      [0, null, 0, 1, 'y'],
      [2 / s, 1, 0, 0, 'x'],
    ]);
  });

  it('fits min-max so the training values span [0, 1], and applies it to other data as fitted', () => {
    const t = fitTransform(train, ['a', 'b'], 'minmax', 't');
    expect(t.columns).toEqual([
      { name: 'a', min: 2, max: 6 },
      { name: 'b', min: 10, max: 30 },
    ]);
    expect(applyTransformTo(train, t, 't').rows.map((r) => r.slice(0, 2))).toEqual([
      [0, 0],
      [0.5, null],
      [1, 1],
    ]);
    const later: Dataset = { columns: [{ name: 'b', type: 'number' }, { name: 'a', type: 'number' }], rows: [[40, 8]] };
    expect(applyTransformTo(later, t, 'later').rows).toEqual([[1.5, 1.5]]);
  });

  it('refuses data that lacks a fitted column, or holds strings in one, naming dataset and column', () => {
    const t = fitTransform(train, ['a', 'b'], 'zscore', 't');
    const noB: Dataset = { columns: [{ name: 'a', type: 'number' }], rows: [[1]] };
    expect(() => applyTransformTo(noB, t, 'serving.json')).toThrow('dataset serving.json lacks column "b" that the zscore transform was fitted on (columns: a)');
    const strB: Dataset = { columns: [{ name: 'a', type: 'number' }, { name: 'b', type: 'string' }], rows: [[1, '2']] };
    expect(() => applyTransformTo(strB, t, 'serving.json')).toThrow('dataset serving.json: column "b" holds strings; the transform scales numbers');
    const empty: Dataset = { columns: [{ name: 'a', type: 'number', nullable: true }], rows: [[null]] };
    expect(() => fitTransform(empty, ['a'], 'minmax', 'e')).toThrow('dataset e: column "a" has no values to fit minmax on');
  });

  it('files are checked when read', async () => {
    const path = join(dir, 't.json');
    await writeFile(path, JSON.stringify({ format: 'sluice.transform', formatVersion: 1, method: 'robust', fittedRows: 1, columns: [] }));
    const err = await readTransform(path).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidTransformError);
    expect((err as Error).message).toMatch(new RegExp(`^transform ${path}: not a sluice.transform file at method: .*\\(make it with standardize\\)$`));
  });
});
