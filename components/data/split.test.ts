import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readDataset, writeDataset, type Dataset } from '../dataset';
import { cleanupComponentRuns, runComponent } from '../testing/runComponent';
import { loadIris } from './loadIris';
import { split, splitIndices } from './split';

afterAll(cleanupComponentRuns);

const countBy = (ds: Dataset, col: number): Record<string, number> => {
  const out: Record<string, number> = {};
  for (const r of ds.rows) out[String(r[col])] = (out[String(r[col])] ?? 0) + 1;
  return out;
};

describe('split', () => {
  let iris: string;
  let dir: string;
  beforeAll(async () => {
    const run = await runComponent(loadIris, {});
    iris = run.outputs.dataset.path;
    dir = run.dir;
  });

  it('keeps every class in proportion on both sides (±1 row)', async () => {
    for (const testFraction of [0.2, 0.3, 0.33]) {
      const run = await runComponent(split, { dataset: iris, testFraction });
      const train = await readDataset(run.outputs.train.path);
      const test = await readDataset(run.outputs.test.path);
      expect(run.result.testRows).toBe(Math.round(150 * testFraction));
      expect(run.result.trainRows + run.result.testRows).toBe(150);
      for (const species of ['setosa', 'versicolor', 'virginica']) {
        expect(Math.abs(countBy(test, 4)[species]! - 50 * testFraction)).toBeLessThanOrEqual(1);
        expect(Math.abs(countBy(train, 4)[species]! - 50 * (1 - testFraction))).toBeLessThanOrEqual(1);
      }
    }
  });

  it('splits into the original rows, each used once, with columns and target kept', async () => {
    const run = await runComponent(split, { dataset: iris });
    const original = await readDataset(iris);
    const train = await readDataset(run.outputs.train.path);
    const test = await readDataset(run.outputs.test.path);
    expect(train.columns).toEqual(original.columns);
    expect(test.target).toBe('species');
    const key = (r: unknown[]): string => JSON.stringify(r);
    expect([...train.rows, ...test.rows].map(key).sort()).toEqual(original.rows.map(key).sort());
    expect(run.outputs.test.properties).toMatchObject({ rows: 30, split: 'test', seed: 42, stratifiedBy: 'species' });
  });

  it('is deterministic by seed', async () => {
    const a = await runComponent(split, { dataset: iris, seed: 7 });
    const b = await runComponent(split, { dataset: iris, seed: 7 });
    const c = await runComponent(split, { dataset: iris, seed: 8 });
    const text = (p: string): Promise<string> => readFile(p, 'utf8');
    expect(await text(b.outputs.test.path)).toBe(await text(a.outputs.test.path));
    expect(await text(b.outputs.train.path)).toBe(await text(a.outputs.train.path));
    expect(await text(c.outputs.test.path)).not.toBe(await text(a.outputs.test.path));
  });

  it('stratifies by another column when asked, and splits plainly when there is nothing to stratify by', async () => {
    const path = join(dir, 'groups.json');
    const rows = Array.from({ length: 20 }, (_, i) => [i, i < 4 ? 'rare' : 'common']);
    await writeDataset(path, { columns: [{ name: 'i', type: 'number' }, { name: 'group', type: 'string' }], rows });
    const run = await runComponent(split, { dataset: path, testFraction: 0.25, stratifyBy: 'group' });
    expect(countBy(await readDataset(run.outputs.test.path), 1)).toEqual({ rare: 1, common: 4 });

    const plain = await runComponent(split, { dataset: path, testFraction: 0.25 });
    expect(plain.result).toEqual({ trainRows: 15, testRows: 5 });
    expect(plain.logs.map((l) => l.message).join('\n')).toMatch(/without stratification/);
  });

  it('gives largest remainders to the strata, keeping the total at round(n × fraction)', () => {
    const strata = [...Array<string>(5).fill('a'), ...Array<string>(5).fill('b'), ...Array<string>(5).fill('c')];
    const { train, test } = splitIndices(strata, 15, 0.5, 1);
    expect(test).toHaveLength(8);
    expect(train).toHaveLength(7);
    expect(new Set([...train, ...test]).size).toBe(15);
  });

  it('fails clearly on a malformed dataset file, naming it', async () => {
    const bad = join(dir, 'broken.json');
    await writeFile(bad, '{"columns": [{"name": "x", "type": "number"}], "rows": [[1], [2, 3]]}');
    await expect(runComponent(split, { dataset: bad })).rejects.toThrow(`dataset ${bad}: row 1 has 2 cells; expected 1 (one per column)`);
  });

  it('refuses bad parameters with clear errors', async () => {
    await expect(runComponent(split, { dataset: iris, testFraction: 1 })).rejects.toThrow(/testFraction must be between 0 and 1/);
    await expect(runComponent(split, { dataset: iris, stratifyBy: 'colour' })).rejects.toThrow(/no column "colour" \(columns: sepal_length/);
    await expect(runComponent(split, { dataset: iris, testFraction: 0.001 })).rejects.toThrow(/leaves the test set empty/);
  });
});
