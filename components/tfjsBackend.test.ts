import { describe, expect, it } from 'vitest';
import { loadTf } from './tfjsBackend';

describe('loadTf', () => {
  it('falls back to pure-JS TensorFlow.js on the cpu backend when no native binding is installed', async () => {
    const loaded = await loadTf();
    // This machine has neither tfjs-node-gpu nor tfjs-node (see package.json); a GPU worker would.
    expect(loaded).toMatchObject({ backend: 'cpu', package: '@tensorflow/tfjs' });
    expect(loaded.tf.getBackend()).toBe('cpu');
    expect(loaded.skipped.map((s) => s.package)).toEqual(['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']);
    expect(loaded.tf.tidy(() => loaded.tf.add(1, 2).arraySync())).toBe(3);
  });

  it('loads once per process', async () => {
    expect(loadTf()).toBe(loadTf());
    expect(await loadTf()).toBe(await loadTf());
  });
});
