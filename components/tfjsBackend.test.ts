import { describe, expect, it, vi } from 'vitest';
import { loadTf } from './tfjsBackend';

describe('loadTf', () => {
  // First in the file: the banner comes with the first tensor of the process-wide TensorFlow.js.
  it('does not print TensorFlow.js\'s "install our node backend" banner (the runtime report says which backend runs)', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      const { tf } = await loadTf();
      tf.tidy(() => tf.add(1, 2).arraySync());
      expect(warn.mock.calls.flat().join('\n')).not.toContain('TensorFlow.js in Node.js');
    } finally {
      warn.mockRestore();
    }
  });

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
