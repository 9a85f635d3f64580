/**
 * A seeded training loop: our own epochs over `trainOnBatch` rather than `model.fit`, because fit's
 * shuffle uses Math.random, which cannot be seeded. Same seed and backend, same model bytes.
 */
import type { LayersModel, Tensor } from '@tensorflow/tfjs';
import { NonRetryableError } from 'sluice/dsl';
import { mulberry32, permutation } from '../random';
import type { Tf } from '../tfjsBackend';

export interface FitOptions {
  /** Component name, for errors. */
  component: string;
  epochs: number;
  batchSize: number;
  learningRate: number;
  seed: number;
  signal: AbortSignal;
  /** Called after each epoch with the epoch's mean loss and mean compiled metric (batch-size weighted). */
  onEpoch: (epoch: number, loss: number, metric: number) => void;
}

const YIELD_EVERY_MS = 25;

/** Trains a compiled model with one compiled metric; returns the last epoch's loss and metric. */
export async function fitSeeded(tf: Tf, model: LayersModel, x: Tensor, y: Tensor, o: FitOptions): Promise<{ loss: number; metric: number }> {
  const n = x.shape[0] ?? 0;
  const random = mulberry32(o.seed);
  let loss = Number.NaN;
  let metric = Number.NaN;
  let lastYield = Date.now();
  for (let epoch = 1; epoch <= o.epochs; epoch++) {
    if (o.signal.aborted) throw o.signal.reason instanceof Error ? o.signal.reason : new Error('training cancelled');
    const order = permutation(n, random);
    let lossSum = 0;
    let metricSum = 0;
    for (let start = 0; start < n; start += o.batchSize) {
      // The pure-JS backend computes synchronously, and trainOnBatch's promise settles as a
      // microtask: without a real turn of the event loop between batches, the worker's heartbeats
      // (and, in sluice dev, the API and its event streams) stall for the whole training. A timer,
      // not setImmediate, so timers that are due (heartbeats) run too.
      if (Date.now() - lastYield > YIELD_EVERY_MS) {
        await new Promise<void>((resolve) => setTimeout(resolve, 0));
        lastYield = Date.now();
        if (o.signal.aborted) throw o.signal.reason instanceof Error ? o.signal.reason : new Error('training cancelled');
      }
      const batch = order.slice(start, start + o.batchSize);
      const [xb, yb] = tf.tidy((): [Tensor, Tensor] => {
        const idx = tf.tensor1d(batch, 'int32');
        return [tf.gather(x, idx), tf.gather(y, idx)];
      });
      try {
        const [batchLoss = Number.NaN, batchMetric = Number.NaN] = (await model.trainOnBatch(xb, yb)) as number[];
        lossSum += batchLoss * batch.length;
        metricSum += batchMetric * batch.length;
      } finally {
        tf.dispose([xb, yb]);
      }
    }
    // Mean over the epoch's batches, weighted by batch size (as Keras reports it).
    loss = lossSum / n;
    metric = metricSum / n;
    if (!Number.isFinite(loss)) {
      throw new NonRetryableError(`${o.component}: loss became ${loss} at epoch ${epoch}; lower learningRate (now ${o.learningRate})`);
    }
    o.onEpoch(epoch, loss, metric);
  }
  return { loss, metric };
}
