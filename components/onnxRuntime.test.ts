import { NonRetryableError, type TaskDevice } from 'sluice/dsl';
import { describe, expect, it } from 'vitest';
import { chooseProvider, OrtProviderError, type CudaAvailability, type ProviderChoice, type ProviderPreference } from './onnxRuntime';

/** GPU 3 of the host, the second device CUDA sees in the worker process (CUDA_VISIBLE_DEVICES=1,3). */
const gpu: TaskDevice = { kind: 'gpu', index: 3, ordinal: 1, name: 'NVIDIA H100' };
const usable: CudaAvailability = { available: true, reason: '' };
const missing: CudaAvailability = { available: false, reason: 'no NVIDIA GPU on this machine' };

const choose = (prefer: ProviderPreference, device: TaskDevice | undefined, cuda: CudaAvailability): ProviderChoice | Error => {
  try {
    return chooseProvider(prefer, device, cuda);
  } catch (e) {
    return e as Error;
  }
};

describe('chooseProvider (which ONNX Runtime provider a task starts on)', () => {
  it('runs "auto" on CUDA only for a task holding a GPU where CUDA works, on that GPU\'s ordinal (not device 0, not its nvidia-smi index)', () => {
    expect(choose('auto', gpu, usable)).toEqual({ provider: 'cuda', deviceId: 1 });
    expect(choose('auto', { ...gpu, index: 0, ordinal: 0 }, usable)).toEqual({ provider: 'cuda', deviceId: 0 });
  });

  it('keeps "auto" on the CPU for a task without a GPU, even where CUDA works (a CPU worker on a GPU host), and says why', () => {
    const choice = choose('auto', undefined, usable);
    expect(choice).toMatchObject({ provider: 'cpu' });
    expect((choice as { cpuReason: string }).cpuReason).toMatch(/^the task holds no GPU \(to run on CUDA, give the component resources \{gpu: 1\}/);
    const without = choose('auto', undefined, missing);
    expect(without).toMatchObject({ provider: 'cpu' });
    expect((without as { cpuReason: string }).cpuReason).toMatch(/^the task holds no GPU/);
  });

  it('falls back to the CPU under "auto" when the task holds a GPU but CUDA is unusable, naming the GPU and the reason', () => {
    expect(choose('auto', gpu, missing)).toEqual({ provider: 'cpu', cpuReason: 'the task holds GPU 3 (NVIDIA H100) but no NVIDIA GPU on this machine' });
  });

  it('runs "cpu" on the CPU whatever the task holds', () => {
    for (const device of [gpu, undefined]) {
      for (const cuda of [usable, missing]) expect(choose('cpu', device, cuda)).toEqual({ provider: 'cpu', cpuReason: 'the CPU provider was asked for' });
    }
  });

  it('runs "cuda" on the GPU the task holds, and refuses it (not retryable) without a GPU task or without CUDA', () => {
    expect(choose('cuda', gpu, usable)).toEqual({ provider: 'cuda', deviceId: 1 });
    for (const cuda of [usable, missing]) {
      const err = choose('cuda', undefined, cuda);
      expect(err).toBeInstanceOf(OrtProviderError);
      expect(err).toBeInstanceOf(NonRetryableError);
      expect((err as Error).message).toMatch(/^executionProvider cuda needs a GPU task: give the component resources \{gpu: 1\}/);
    }
    const err = choose('cuda', gpu, missing);
    expect(err).toBeInstanceOf(OrtProviderError);
    expect((err as Error).message).toBe('executionProvider cuda: the task holds GPU 3 (NVIDIA H100) but no NVIDIA GPU on this machine; use executionProvider "auto" to fall back to the CPU');
  });
});
