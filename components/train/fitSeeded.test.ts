import { describe, expect, it } from 'vitest';
import { loadTf } from '../tfjsBackend';
import { fitSeeded } from './fitSeeded';

describe('fitSeeded', () => {
  it('lets timers run between batches, not only between epochs (heartbeats, the API in sluice dev)', async () => {
    const { tf } = await loadTf();
    const rows = 20_000;
    const x = tf.randomUniform([rows, 4], 0, 1, 'float32', 1);
    const y = tf.oneHot(tf.randomUniform([rows], 0, 3, 'int32', 2), 3);
    const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: 16, activation: 'relu' }), tf.layers.dense({ units: 3, activation: 'softmax' })] });
    model.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
    let last = performance.now();
    let maxGap = 0;
    const timer = setInterval(() => {
      const now = performance.now();
      maxGap = Math.max(maxGap, now - last);
      last = now;
    }, 5);
    const started = performance.now();
    try {
      await fitSeeded(tf, model, x, y, { component: 'test', epochs: 2, batchSize: 32, learningRate: 0.01, seed: 1, signal: new AbortController().signal, onEpoch: () => undefined });
    } finally {
      clearInterval(timer);
      tf.dispose([x, y]);
      model.dispose();
    }
    // The stretch since the last tick counts too (a timer that never fired is the worst case).
    maxGap = Math.max(maxGap, performance.now() - last);
    const ms = performance.now() - started;
    // An epoch here takes hundreds of ms; yielding only per epoch left gaps that long.
    expect(ms).toBeGreaterThan(300);
    expect(maxGap).toBeLessThan(250);
  });

  it('stops at the next batch when the attempt is cancelled', async () => {
    const { tf } = await loadTf();
    const x = tf.randomUniform([20_000, 4], 0, 1, 'float32', 3);
    const y = tf.oneHot(tf.randomUniform([20_000], 0, 3, 'int32', 4), 3);
    const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: 3, activation: 'softmax' })] });
    model.compile({ optimizer: tf.train.sgd(0.01), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('cancelled by test')), 100);
    const started = performance.now();
    try {
      await expect(
        fitSeeded(tf, model, x, y, { component: 'test', epochs: 50, batchSize: 32, learningRate: 0.01, seed: 1, signal: controller.signal, onEpoch: () => undefined }),
      ).rejects.toThrow('cancelled by test');
    } finally {
      tf.dispose([x, y]);
      model.dispose();
    }
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});
