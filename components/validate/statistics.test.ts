import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { irisDataset } from '../data/loadIris';
import type { Dataset } from '../dataset';
import { categorySummary, datasetStatistics, InvalidStatisticsError, numericSummary, readStatistics } from './statistics';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-statistics-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('statistics', () => {
  it('summarise numbers: min, max, mean and population std', () => {
    // 2, 4, 4, 4, 5, 5, 7, 9: mean 5, population variance 4.
    expect(numericSummary([2, 4, 4, 4, 5, 5, 7, 9])).toEqual({ min: 2, max: 9, mean: 5, std: 2 });
    expect(numericSummary([])).toBeUndefined();
    // Welford keeps precision where a naive sum of squares cancels catastrophically.
    const big = numericSummary([1e9 + 4, 1e9 + 7, 1e9 + 13, 1e9 + 16]);
    expect(big?.mean).toBe(1e9 + 10);
    expect(big?.std).toBeCloseTo(Math.sqrt(22.5), 9);
  });

  it('count categories, most frequent first, ties by value, capped', () => {
    expect(categorySummary(['b', 'a', 'c', 'a', 'b', 'a'], 2)).toEqual({
      distinct: 3,
      truncated: true,
      top: [
        { value: 'a', count: 3 },
        { value: 'b', count: 2 },
      ],
    });
  });

  it('describe iris with the known values', () => {
    const stats = datasetStatistics(irisDataset());
    expect(stats.rows).toBe(150);
    expect(stats.target).toBe('species');
    const sepal = stats.columns[0]!;
    expect(sepal).toMatchObject({ name: 'sepal_length', type: 'float', count: 150, missing: 0 });
    expect(sepal.numeric?.min).toBe(4.3);
    expect(sepal.numeric?.max).toBe(7.9);
    expect(sepal.numeric?.mean).toBeCloseTo(5.843333, 5);
    expect(sepal.numeric?.std).toBeCloseTo(0.825301, 5);
    expect(stats.columns[2]!.numeric?.std).toBeCloseTo(1.759404, 5);
    expect(stats.columns[4]).toEqual({
      name: 'species',
      type: 'string',
      count: 150,
      missing: 0,
      categories: {
        distinct: 3,
        truncated: false,
        top: [
          { value: 'setosa', count: 50 },
          { value: 'versicolor', count: 50 },
          { value: 'virginica', count: 50 },
        ],
      },
    });
  });

  it('count missing values, and summarise booleans and all-missing columns', () => {
    const ds: Dataset = {
      columns: [
        { name: 'n', type: 'number', nullable: true },
        { name: 'ok', type: 'boolean', nullable: true },
        { name: 'empty', type: 'string', nullable: true },
      ],
      rows: [
        [3, true, null],
        [null, true, null],
        [5, null, null],
      ],
    };
    const [n, ok, empty] = datasetStatistics(ds).columns;
    expect(n).toEqual({ name: 'n', type: 'int', count: 2, missing: 1, numeric: { min: 3, max: 5, mean: 4, std: 1 } });
    expect(ok).toEqual({ name: 'ok', type: 'bool', count: 2, missing: 1, categories: { distinct: 1, truncated: false, top: [{ value: 'true', count: 2 }] } });
    expect(empty).toEqual({ name: 'empty', type: 'string', count: 0, missing: 3, categories: { distinct: 0, truncated: false, top: [] } });
  });

  it('refuse a file that is not statistics, naming it and what to use', async () => {
    const path = join(dir, 'not-stats.json');
    await writeFile(path, '{"accuracy": 0.9}');
    const err = await readStatistics(path).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidStatisticsError);
    expect((err as Error).message).toMatch(new RegExp(`^statistics ${path}: not a sluice.statistics file at format: .*\\(make it with compute-statistics\\)`));
    await writeFile(path, '{');
    await expect(readStatistics(path)).rejects.toThrow(/not valid JSON/);
  });
});
