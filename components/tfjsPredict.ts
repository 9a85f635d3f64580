/**
 * Runs a TensorFlow.js model of the built-in formats on raw feature rows: standardise, predict in
 * chunks (bounded tensor memory on large inputs), return one output row per input row.
 */
import type { LayersModel, Tensor } from '@tensorflow/tfjs';
import { standardize, type Standardization } from './standardization';
import type { Tf } from './tfjsBackend';

const CHUNK = 8192;

export async function tfjsPredict(tf: Tf, model: LayersModel, x: readonly (readonly number[])[], s: Standardization): Promise<number[][]> {
  const out: number[][] = [];
  const width = s.mean.length;
  for (let start = 0; start < x.length; start += CHUNK) {
    const chunk = standardize(x.slice(start, start + CHUNK), s);
    const y = tf.tidy(() => model.predict(tf.tensor2d(chunk, [chunk.length, width])) as Tensor);
    try {
      out.push(...((await y.array()) as number[][]));
    } finally {
      y.dispose();
    }
  }
  return out;
}
