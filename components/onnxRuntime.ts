/**
 * ONNX Runtime sessions for components, on the CPU provider or on the CUDA provider of the GPU the
 * task holds, and which one ran and why. CUDA is used only for a task that holds a GPU
 * (`ctx.device`, on a GPU worker: resources `{ gpu: 1 }`), on that device's ordinal, so a CPU task
 * on a GPU host never takes a GPU that the GPU worker lends to someone else. onnxruntime-node lists
 * "cuda" among its backends on Linux x64 even where its CUDA libraries or a GPU are missing, so CUDA
 * is only tried when an NVIDIA device is present too, and a session that fails to start on CUDA
 * falls back to the CPU under "auto" (the reason is reported, never swallowed).
 */
import { existsSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import { NonRetryableError, type TaskDevice } from 'sluice/dsl';

export type OrtProvider = 'cuda' | 'cpu';
export type ProviderPreference = 'auto' | OrtProvider;

/** The provider asked for cannot run this task (CUDA without a GPU task, or without CUDA). */
export class OrtProviderError extends NonRetryableError {
  override readonly name: string = 'OrtProviderError';
  override readonly code: string = 'ort-provider';
}

export interface OrtSession {
  session: ort.InferenceSession;
  provider: OrtProvider;
  /** The CUDA device the session runs on (the task's GPU ordinal), null on the CPU. */
  deviceId: number | null;
  /** Why CUDA was not used, when it was not. */
  cpuReason: string | null;
}

export interface OrtSessionOptions {
  prefer?: ProviderPreference;
  /** The GPU the task holds (`ctx.device`); without it a session never uses CUDA. */
  device?: TaskDevice | undefined;
  /** Threads inside one operator; 0 or unset: ONNX Runtime's default (one per physical core). */
  intraOpNumThreads?: number;
}

export interface CudaAvailability {
  available: boolean;
  reason: string;
}

/** Whether CUDA is worth trying here, and if not, why. */
export function cudaAvailability(): CudaAvailability {
  const listed = ort.listSupportedBackends().some((b) => b.name === 'cuda');
  if (!listed) return { available: false, reason: 'this onnxruntime-node build has no CUDA execution provider' };
  const visible = process.env.CUDA_VISIBLE_DEVICES?.trim();
  if (visible === '' || visible === '-1') return { available: false, reason: `CUDA_VISIBLE_DEVICES="${visible}" hides every GPU` };
  if (!existsSync('/dev/nvidiactl') && !existsSync('/proc/driver/nvidia/version')) return { available: false, reason: 'no NVIDIA GPU on this machine' };
  return { available: true, reason: '' };
}

/** The provider a session should start on: CUDA on a device, or the CPU and why. */
export type ProviderChoice = { provider: 'cuda'; deviceId: number } | { provider: 'cpu'; cpuReason: string };

/** The advice for a task that wants CUDA but holds no GPU. */
export const GPU_TASK_ADVICE = 'give the component resources {gpu: 1} (or the task: p.task(…, { resources: { gpu: 1 } })) so that it runs on a GPU worker';

/**
 * Which provider to start on (pure: the caller probes CUDA). "auto" is CUDA only when the task
 * holds a GPU and CUDA is usable, else the CPU; "cuda" without a GPU task, or without usable CUDA,
 * is an `OrtProviderError`; "cpu" is the CPU.
 */
export function chooseProvider(prefer: ProviderPreference, device: TaskDevice | undefined, cuda: CudaAvailability): ProviderChoice {
  switch (prefer) {
    case 'cpu':
      return { provider: 'cpu', cpuReason: 'the CPU provider was asked for' };
    case 'cuda':
      if (!device) throw new OrtProviderError(`executionProvider cuda needs a GPU task: ${GPU_TASK_ADVICE}; or use executionProvider "auto" or "cpu"`);
      if (!cuda.available) throw new OrtProviderError(`executionProvider cuda: the task holds GPU ${device.index} (${device.name}) but ${cuda.reason}; use executionProvider "auto" to fall back to the CPU`);
      return { provider: 'cuda', deviceId: device.ordinal };
    case 'auto':
      if (!device) return { provider: 'cpu', cpuReason: `the task holds no GPU (to run on CUDA, ${GPU_TASK_ADVICE})` };
      if (!cuda.available) return { provider: 'cpu', cpuReason: `the task holds GPU ${device.index} (${device.name}) but ${cuda.reason}` };
      return { provider: 'cuda', deviceId: device.ordinal };
  }
}

export async function createOrtSession(model: Uint8Array, o: OrtSessionOptions = {}): Promise<OrtSession> {
  const base: ort.InferenceSession.SessionOptions = {
    graphOptimizationLevel: 'all',
    executionMode: 'sequential',
    ...(o.intraOpNumThreads ? { intraOpNumThreads: o.intraOpNumThreads } : {}),
  };
  const prefer = o.prefer ?? 'auto';
  // Probed only when it matters: a CPU preference or a task without a GPU never looks for CUDA.
  const cuda = prefer !== 'cpu' && o.device ? cudaAvailability() : { available: false, reason: 'not probed' };
  const choice = chooseProvider(prefer, o.device, cuda);
  let cpuReason: string;
  if (choice.provider === 'cuda') {
    try {
      const cudaEp: ort.InferenceSession.CudaExecutionProviderOption = { name: 'cuda', deviceId: choice.deviceId };
      const session = await ort.InferenceSession.create(model, { ...base, executionProviders: [cudaEp, 'cpu'] });
      return { session, provider: 'cuda', deviceId: choice.deviceId, cpuReason: null };
    } catch (err) {
      const why = `the CUDA provider failed to start on device ${choice.deviceId} (${err instanceof Error ? err.message : String(err)})`;
      if (prefer === 'cuda') throw new OrtProviderError(`executionProvider cuda: ${why}; use executionProvider "auto" to fall back to the CPU`);
      cpuReason = why;
    }
  } else cpuReason = choice.cpuReason;
  const session = await ort.InferenceSession.create(model, { ...base, executionProviders: ['cpu'] });
  return { session, provider: 'cpu', deviceId: null, cpuReason };
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
