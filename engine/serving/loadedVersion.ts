/**
 * One registered model version loaded for serving: its ONNX Runtime session (CUDA when asked for
 * and usable, else the CPU, and why), its signature as protocol tensor metadata, and its batchers.
 * onnxruntime-node is loaded on the first model load, so a server that serves nothing yet (and the
 * CLI that starts it) never pays for it. Sessions are shared by every request to the version.
 */
import type * as ort from 'onnxruntime-node';
import type { ProviderPreference } from '../../components/onnxRuntime';
import { Batcher, type BatchingOptions, type Outputs } from './batcher';
import { badRequest, ServingError } from './errors';
import type { TensorMetadata } from './protocol';
import { datatypeOf, type DecodedTensor } from './tensors';

export interface SessionOptions {
  /** auto: CUDA when a GPU and CUDA are usable, else the CPU. */
  provider: ProviderPreference;
  /** The CUDA device ordinal for CUDA sessions. */
  gpu: number;
  /** ONNX Runtime intra-op threads; 0: its default. */
  threads: number;
}

type OrtRuntime = typeof import('../../components/onnxRuntime');
let runtime: Promise<OrtRuntime> | undefined;
/** ONNX Runtime, loaded once, on first use. */
const loadRuntime = (): Promise<OrtRuntime> => (runtime ??= import('../../components/onnxRuntime'));

function tensorMetadata(m: ort.InferenceSession.ValueMetadata, where: string): TensorMetadata {
  if (!m.isTensor) throw new ServingError('model_invalid', `${where} "${m.name}" is not a tensor (sequences and maps are not served)`);
  const datatype = datatypeOf(m.type);
  if (!datatype) throw new ServingError('model_invalid', `${where} "${m.name}" has element type ${m.type}, which the protocol cannot describe`);
  return { name: m.name, datatype, shape: m.shape.map((d) => (typeof d === 'number' && d >= 0 ? d : -1)) };
}

export class LoadedVersion {
  private readonly batchers = new Map<string, Batcher>();
  /** Whether every input has a variable first dimension, so requests can be stacked. */
  readonly batchable: boolean;

  private constructor(
    readonly model: string,
    readonly version: number,
    private readonly session: ort.InferenceSession,
    private readonly Tensor: typeof ort.Tensor,
    readonly inputs: TensorMetadata[],
    readonly outputs: TensorMetadata[],
    /** "cuda" or "cpu". */
    readonly provider: string,
    readonly cpuReason: string | null,
    private readonly batching: BatchingOptions,
    private readonly onBatch: (rows: number, requests: number) => void,
  ) {
    this.batchable = inputs.every((i) => i.shape.length > 0 && i.shape[0] === -1);
  }

  static async load(o: {
    model: string;
    version: number;
    bytes: Uint8Array;
    session: SessionOptions;
    batching: BatchingOptions;
    onBatch: (rows: number, requests: number) => void;
  }): Promise<LoadedVersion> {
    const rt = await loadRuntime();
    const cuda = o.session.provider === 'cpu' ? { available: false, reason: 'the model server was started with --provider cpu' } : rt.cudaAvailability();
    // The server holds the GPU it is given as a task would (components/onnxRuntime.ts decides the provider).
    const device = cuda.available ? { kind: 'gpu' as const, index: o.session.gpu, ordinal: o.session.gpu, name: `GPU ${o.session.gpu}` } : undefined;
    if (o.session.provider === 'cuda' && !cuda.available) throw new ServingError('model_invalid', `version ${o.version} of model "${o.model}": --provider cuda, but ${cuda.reason}; use --provider auto to fall back to the CPU`);
    let s: Awaited<ReturnType<OrtRuntime['createOrtSession']>>;
    try {
      s = await rt.createOrtSession(o.bytes, { prefer: o.session.provider, device, ...(o.session.threads ? { intraOpNumThreads: o.session.threads } : {}) });
    } catch (e) {
      throw new ServingError('model_invalid', `version ${o.version} of model "${o.model}" cannot be loaded by ONNX Runtime: ${e instanceof Error ? e.message : String(e)}`);
    }
    const where = `version ${o.version} of model "${o.model}": input`;
    const inputs = s.session.inputMetadata.map((m) => tensorMetadata(m, where));
    const outputs = s.session.outputMetadata.map((m) => tensorMetadata(m, `version ${o.version} of model "${o.model}": output`));
    // Without a device the runtime's reason speaks of tasks; the server's own is the one that applies.
    const cpuReason = s.provider === 'cpu' ? (device ? s.cpuReason : cuda.reason) : null;
    return new LoadedVersion(o.model, o.version, s.session, rt.OrtTensor, inputs, outputs, s.provider, cpuReason, o.batching, o.onBatch);
  }

  /**
   * Runs one request's inputs (already decoded and checked against `inputs`, in the model's input
   * order) through the batcher for their shape, and returns its outputs.
   */
  infer(inputs: DecodedTensor[]): Promise<Outputs> {
    if (!this.batchable) return this.runBatch(inputs);
    const rows = inputs[0]!.shape[0]!;
    const mismatch = inputs.find((t) => t.shape[0] !== rows);
    if (mismatch) throw badRequest(`input "${mismatch.name}": ${mismatch.shape[0]} rows, but input "${inputs[0]!.name}" has ${rows} (every input's first dimension is the batch)`);
    if (rows === 0) return this.runBatch(inputs);
    // Requests are stacked only with others of the same non-batch dimensions.
    const key = inputs.map((t) => t.shape.slice(1).join('x')).join('|');
    let b = this.batchers.get(key);
    if (!b) this.batchers.set(key, (b = new Batcher((batch) => this.runBatch(batch), this.batching, this.onBatch)));
    return b.submit(inputs, rows);
  }

  private async runBatch(inputs: DecodedTensor[]): Promise<Outputs> {
    const feeds: Record<string, ort.Tensor> = {};
    for (const t of inputs) feeds[t.name] = new this.Tensor(t.type, t.data, t.shape);
    const results = await this.session.run(feeds);
    const out: Outputs = {};
    for (const [name, t] of Object.entries(results)) out[name] = { type: t.type, shape: t.dims.map(Number), data: t.data };
    return out;
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}
