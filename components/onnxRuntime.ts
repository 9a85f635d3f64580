/**
 * ONNX Runtime sessions for components: the CUDA execution provider when this machine can use it,
 * else the CPU provider, and which one ran. onnxruntime-node lists "cuda" among its backends on
 * Linux x64 even where its CUDA libraries or a GPU are missing, so CUDA is only tried when an
 * NVIDIA device is present too, and a session that fails to start on CUDA falls back to the CPU
 * (the reason is reported, never swallowed).
 */
import { existsSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import { NonRetryableError } from 'sluice/dsl';

export type OrtProvider = 'cuda' | 'cpu';
export type ProviderPreference = 'auto' | OrtProvider;

export interface OrtSession {
  session: ort.InferenceSession;
  provider: OrtProvider;
  /** Why CUDA was not used, when it was not. */
  cpuReason: string | null;
}

export interface OrtSessionOptions {
  prefer?: ProviderPreference;
  /** Threads inside one operator; 0 or unset: ONNX Runtime's default (one per physical core). */
  intraOpNumThreads?: number;
}

/** Whether CUDA is worth trying here, and if not, why. */
export function cudaAvailability(): { available: boolean; reason: string } {
  const listed = ort.listSupportedBackends().some((b) => b.name === 'cuda');
  if (!listed) return { available: false, reason: 'this onnxruntime-node build has no CUDA execution provider' };
  const visible = process.env.CUDA_VISIBLE_DEVICES?.trim();
  if (visible === '' || visible === '-1') return { available: false, reason: `CUDA_VISIBLE_DEVICES="${visible}" hides every GPU` };
  if (!existsSync('/dev/nvidiactl') && !existsSync('/proc/driver/nvidia/version')) return { available: false, reason: 'no NVIDIA GPU on this machine' };
  return { available: true, reason: '' };
}

export async function createOrtSession(model: Uint8Array, o: OrtSessionOptions = {}): Promise<OrtSession> {
  const base: ort.InferenceSession.SessionOptions = {
    graphOptimizationLevel: 'all',
    executionMode: 'sequential',
    ...(o.intraOpNumThreads ? { intraOpNumThreads: o.intraOpNumThreads } : {}),
  };
  const prefer = o.prefer ?? 'auto';
  let cpuReason = prefer === 'cpu' ? 'the CPU provider was asked for' : '';
  if (prefer !== 'cpu') {
    const cuda = cudaAvailability();
    if (cuda.available) {
      try {
        const session = await ort.InferenceSession.create(model, { ...base, executionProviders: ['cuda', 'cpu'] });
        return { session, provider: 'cuda', cpuReason: null };
      } catch (err) {
        cpuReason = `the CUDA provider failed to start (${err instanceof Error ? err.message : String(err)})`;
      }
    } else cpuReason = cuda.reason;
    if (prefer === 'cuda') {
      throw new NonRetryableError(`ONNX Runtime: the CUDA provider was asked for but ${cpuReason}; route the task to a GPU worker (resources: { gpu: 1 }) or use provider "auto"`);
    }
  }
  const session = await ort.InferenceSession.create(model, { ...base, executionProviders: ['cpu'] });
  return { session, provider: 'cpu', cpuReason };
}

/**
 * Runs a session on `rows` feature rows packed row-major in `data` (no copy: the tensor views it).
 * `outputs`, when given, are tensors ONNX Runtime writes into instead of allocating new ones.
 */
export async function runOnRows(
  session: ort.InferenceSession,
  inputName: string,
  data: Float32Array,
  rows: number,
  width: number,
  outputs?: Record<string, ort.Tensor>,
): Promise<ort.InferenceSession.ReturnType> {
  const feeds = { [inputName]: new ort.Tensor('float32', data, [rows, width]) };
  return outputs ? session.run(feeds, outputs) : session.run(feeds);
}

export const OrtTensor = ort.Tensor;
export type OrtTensor = ort.Tensor;

/** The onnxruntime-node package version, for artifact properties. */
export const ORT_VERSION: string = ort.env.versions.node ?? ort.env.versions.common;
