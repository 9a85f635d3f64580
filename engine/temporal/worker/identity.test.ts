import { describe, expect, it } from 'vitest';
import { parseWorkerIdentity, workerIdentity } from './identity';

describe('worker identities', () => {
  it('carry role, GPUs and runtimes, and read back', () => {
    const id = workerIdentity('12345@gpu-node-1', 'gpu', { gpus: [0, 1], tfjs: 'tfjs-node-gpu', onnx: ['cuda', 'cpu'] });
    expect(id).toBe('12345@gpu-node-1 sluice/gpu gpus=0,1 tfjs=tfjs-node-gpu onnx=cuda,cpu');
    expect(parseWorkerIdentity(id)).toEqual({ process: '12345@gpu-node-1', role: 'gpu', runtime: { gpus: [0, 1], tfjs: 'tfjs-node-gpu', onnx: ['cuda', 'cpu'] } });
    expect(parseWorkerIdentity(workerIdentity('7@h', 'control'))).toEqual({ process: '7@h', role: 'control' });
    expect(parseWorkerIdentity(workerIdentity('7@h', 'cpu', { gpus: [] }))).toEqual({ process: '7@h', role: 'cpu', runtime: { gpus: [] } });
  });

  it('treat identities of other workers as bare process names', () => {
    expect(parseWorkerIdentity('98765@some-go-worker')).toEqual({ process: '98765@some-go-worker' });
  });

  it('keep spaces and odd tokens out of the fields', () => {
    const id = workerIdentity('1@my host', 'cpu', { gpus: [], tfjs: 'two words', onnx: ['cpu', 'x y'] });
    expect(id).toBe('1@my_host sluice/cpu onnx=cpu');
  });
});
