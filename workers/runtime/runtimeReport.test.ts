import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { parseWorkerIdentity, workerIdentity } from '../../engine/temporal/worker/identity';
import { detectOnnx, identityModel } from './mlRuntimes';
import { collectRuntimeReport, formatRuntimeReport, runtimeSummary } from './runtimeReport';

describe('runtime report', () => {
  it('reports the machine, configured GPUs and the ML runtimes in one block', async () => {
    const report = await collectRuntimeReport({ setting: '2', env: {}, nvidiaSmi: () => Promise.resolve({ ok: false, reason: 'nvidia-smi not found' }) });
    expect(report.cpu.count).toBeGreaterThan(0);
    expect(report.gpus.devices.map((d) => d.index)).toEqual([0, 1]);
    // This machine has neither native TensorFlow.js package: the pure-JS backend, with the reasons.
    expect(['tfjs-node-gpu', 'tfjs-node', 'cpu']).toContain(report.tfjs.backend);
    if (report.tfjs.backend === 'cpu') expect(report.tfjs.skipped.map((s) => s.package)).toEqual(['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']);
    expect(report.onnx.providers).toContain('cpu');

    const text = formatRuntimeReport(report, ['sluice-gpu']);
    expect(text.split('\n')[0]).toMatch(/^runtime of \d+@/);
    expect(text).toMatch(/^ {2}gpus {5}2 — configured by SLUICE_GPUS=2; nvidia-smi not found; one task per GPU at a time$/m);
    expect(text).toMatch(/^ {2}tfjs {5}\S+/m);
    expect(text).toMatch(/^ {2}onnx {5}providers .*cpu/m);
    expect(text).toMatch(/^ {2}queues {3}sluice-gpu$/m);

    // The identity carries the summary, and reads back.
    const identity = workerIdentity('42@host', 'gpu', runtimeSummary(report));
    expect(parseWorkerIdentity(identity)).toMatchObject({ process: '42@host', role: 'gpu', runtime: { gpus: [0, 1], tfjs: report.tfjs.backend } });
  });

  it('skips the ML runtimes for a control-only worker', async () => {
    const report = await collectRuntimeReport({ skipMlRuntimes: true, setting: 'none' });
    expect(formatRuntimeReport(report)).toMatch(/tfjs {5}not loaded/);
  });
});

describe('ONNX Runtime providers', () => {
  it('the probe model is a valid ONNX model (it runs on the CPU provider)', async () => {
    const ort = createRequire(import.meta.url)('onnxruntime-node') as typeof import('onnxruntime-node');
    const session = await ort.InferenceSession.create(identityModel(), { executionProviders: ['cpu'] });
    const out = await session.run({ x: new ort.Tensor('float32', Float32Array.from([7]), [1]) });
    expect(Array.from(out.y?.data as Float32Array)).toEqual([7]);
    await session.release();
  });

  it('says why CUDA is not offered: no provider library here, or no GPU', async () => {
    const report = await detectOnnx([]);
    expect(report.providers).toEqual(['cpu']);
    expect(report.unavailable.find((u) => u.provider === 'cuda')?.reason).toMatch(/not installed \(libonnxruntime_providers_cuda\.so missing|no GPU/);
  });
});
