/**
 * Dynamic batching: requests queued together share one run with their rows stacked, each gets its
 * own rows back, batches never exceed the maximum (a larger request runs alone), arrivals during a
 * run gather into the next one, and a failed run fails exactly its requests.
 */
import { describe, expect, it } from 'vitest';
import { Batcher, type Outputs } from './batcher';
import type { DecodedTensor } from './tensors';

const rowsOf = (...values: number[][]): DecodedTensor => ({ name: 'x', type: 'float32', shape: [values.length, 2], data: new Float32Array(values.flat()) });

/** A model that doubles its input, recording each batch's rows. */
function doubling(batches: number[], fail?: (rows: number) => boolean) {
  return async ([x]: DecodedTensor[], rows: number): Promise<Outputs> => {
    batches.push(rows);
    await new Promise((r) => setTimeout(r, 5));
    if (fail?.(rows)) throw new Error(`run of ${rows} failed`);
    return { y: { type: 'float32', shape: [rows, 2], data: (x!.data as Float32Array).map((v) => v * 2) }, n: { type: 'float32', shape: [1], data: new Float32Array([rows]) } };
  };
}

describe('Batcher', () => {
  it('runs requests queued together as one batch and hands each its own rows', async () => {
    const batches: number[] = [];
    const b = new Batcher(doubling(batches), { maxBatchSize: 64, maxQueueDelayMs: 0, maxConcurrentBatches: 1 });
    const out = await Promise.all([b.submit([rowsOf([1, 2])], 1), b.submit([rowsOf([3, 4], [5, 6])], 2), b.submit([rowsOf([7, 8])], 1)]);
    expect(batches).toEqual([4]);
    expect(out.map((o) => [...(o.y!.data as Float32Array)])).toEqual([[2, 4], [6, 8, 10, 12], [14, 16]]);
    expect(out.map((o) => o.y!.shape)).toEqual([[1, 2], [2, 2], [1, 2]]);
    // An output without the batch dimension is shared.
    expect(out.map((o) => [...(o.n!.data as Float32Array)])).toEqual([[4], [4], [4]]);
  });

  it('keeps batches within maxBatchSize, runs a larger request alone, and gathers arrivals during a run', async () => {
    const batches: number[] = [];
    const b = new Batcher(doubling(batches), { maxBatchSize: 2, maxQueueDelayMs: 0, maxConcurrentBatches: 1 });
    await Promise.all([b.submit([rowsOf([1, 1])], 1), b.submit([rowsOf([1, 1])], 1), b.submit([rowsOf([1, 1])], 1), b.submit([rowsOf([1, 1], [1, 1], [1, 1])], 3), b.submit([rowsOf([1, 1])], 1)]);
    expect(batches).toEqual([2, 1, 3, 1]);
  });

  it('fails exactly the requests of a failed run', async () => {
    const batches: number[] = [];
    const b = new Batcher(doubling(batches, (rows) => rows === 2), { maxBatchSize: 2, maxQueueDelayMs: 0, maxConcurrentBatches: 1 });
    const results = await Promise.allSettled([b.submit([rowsOf([1, 1])], 1), b.submit([rowsOf([1, 1])], 1), b.submit([rowsOf([1, 1])], 1)]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'fulfilled']);
    expect(b.waiting).toBe(0);
  });
});
