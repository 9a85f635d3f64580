/** `split`: a seeded train/test split, stratified so every class keeps its share on both sides. */
import { component, NonRetryableError, t } from 'sluice/dsl';
import { columnIndex, datasetProperties, readDataset, writeDataset, type Dataset, type DatasetCell } from '../dataset';
import { mulberry32, permutation } from '../random';

/**
 * Chooses the test rows: a seeded shuffle, then the first rows of each stratum in shuffled order.
 * Test counts per stratum use largest remainders, so the total is round(n × testFraction) and each
 * stratum is within one row of its exact share. Returns row indices in shuffled order.
 */
export function splitIndices(
  strata: readonly DatasetCell[] | undefined,
  n: number,
  testFraction: number,
  seed: number,
): { train: number[]; test: number[] } {
  const order = permutation(n, mulberry32(seed));
  const keyOf = (i: number): string => (strata ? JSON.stringify(strata[i]) : '');
  const sizes = new Map<string, number>();
  for (let i = 0; i < n; i++) sizes.set(keyOf(i), (sizes.get(keyOf(i)) ?? 0) + 1);

  const quota = new Map<string, number>();
  const remainders: Array<{ key: string; rem: number }> = [];
  for (const [key, size] of sizes) {
    const exact = size * testFraction;
    quota.set(key, Math.floor(exact));
    remainders.push({ key, rem: exact - Math.floor(exact) });
  }
  let left = Math.round(n * testFraction) - [...quota.values()].reduce((a, b) => a + b, 0);
  // Stable sort: ties go to the stratum seen first, so the result depends only on data and seed.
  for (const { key } of remainders.sort((a, b) => b.rem - a.rem)) {
    if (left <= 0) break;
    quota.set(key, quota.get(key)! + 1);
    left--;
  }

  const train: number[] = [];
  const test: number[] = [];
  for (const i of order) {
    const key = keyOf(i);
    const q = quota.get(key)!;
    if (q > 0) {
      test.push(i);
      quota.set(key, q - 1);
    } else train.push(i);
  }
  return { train, test };
}

export const split = component({
  name: 'split',
  description: 'Splits a Dataset into train and test sets: seeded, and stratified by the target column.',
  category: 'data',
  module: 'sluice/components',
  export: 'split',
  inputs: {
    dataset: t.Dataset(),
    testFraction: t.float({ default: 0.2, description: 'share of rows for the test set, between 0 and 1' }),
    seed: t.int({ default: 42, description: 'same seed, same split' }),
    stratifyBy: t.string({ optional: true, description: "column whose class proportions to keep (default: the dataset's target)" }),
  },
  outputs: { train: t.Dataset(), test: t.Dataset(), trainRows: t.int(), testRows: t.int() },
  run: async (inputs, ctx) => {
    const source = inputs.dataset.path;
    if (!(inputs.testFraction > 0 && inputs.testFraction < 1)) {
      throw new NonRetryableError(`split: testFraction must be between 0 and 1 (exclusive); got ${inputs.testFraction}`);
    }
    if (!Number.isInteger(inputs.seed)) throw new NonRetryableError(`split: seed must be an integer; got ${inputs.seed}`);
    const ds = await readDataset(source);
    const stratifyBy = inputs.stratifyBy ?? ds.target;
    const col = stratifyBy === undefined ? undefined : columnIndex(ds, stratifyBy, source);
    const strata = col === undefined ? undefined : ds.rows.map((r) => r[col]!);
    if (stratifyBy === undefined) ctx.log('dataset has no target and stratifyBy is unset: splitting without stratification');

    const { train, test } = splitIndices(strata, ds.rows.length, inputs.testFraction, inputs.seed);
    if (train.length === 0 || test.length === 0) {
      throw new NonRetryableError(
        `split: testFraction ${inputs.testFraction} of ${ds.rows.length} rows in ${source} leaves the ` +
          `${train.length === 0 ? 'train' : 'test'} set empty; use more rows or another testFraction`,
      );
    }
    const pick = (idx: number[]): Dataset => ({ ...ds, rows: idx.map((i) => ds.rows[i]!) });
    const parts = { train: pick(train), test: pick(test) };
    for (const side of ['train', 'test'] as const) {
      await writeDataset(ctx.outputs[side].path, parts[side]);
      ctx.outputs[side].properties = {
        ...datasetProperties(parts[side]),
        split: side,
        seed: inputs.seed,
        testFraction: inputs.testFraction,
        stratifiedBy: stratifyBy ?? null,
      };
    }
    ctx.log(`split ${ds.rows.length} rows: ${train.length} train, ${test.length} test${stratifyBy ? ` (stratified by ${stratifyBy})` : ''}`);
    return { trainRows: train.length, testRows: test.length };
  },
});
