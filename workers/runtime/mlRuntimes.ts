/**
 * The ML runtimes a worker offers its components, found the way components find them: TensorFlow.js
 * through the components' own `loadTf` (tfjs-node-gpu → tfjs-node → pure JS), ONNX Runtime through
 * `onnxruntime-node`'s execution providers, with the CUDA provider checked by actually opening a
 * session on it (its library ships separately and needs CUDA and cuDNN at run time). A runtime
 * that is missing or broken is a line in the report, never a failed start.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { loadTf } from 'sluice/components';
import type { GpuDevice } from '../../engine/temporal/activities/index';

export interface TfjsReport {
  /** The backend TensorFlow.js runs on: 'tfjs-node-gpu' (CUDA), 'tfjs-node' (native CPU), 'cpu' (pure JS), or 'unavailable'. */
  backend: string;
  package?: string;
  /** Why each faster option was not used. */
  skipped: { package: string; reason: string }[];
  error?: string;
}

export interface OnnxReport {
  version?: string;
  /** Execution providers that work here, best first (e.g. ["cuda", "cpu"]). */
  providers: string[];
  /** Providers this build knows but that cannot be used here, with the reason. */
  unavailable: { provider: string; reason: string }[];
  error?: string;
}

export async function detectTfjs(): Promise<TfjsReport> {
  try {
    const loaded = await loadTf();
    return { backend: loaded.backend, package: loaded.package, skipped: loaded.skipped };
  } catch (e) {
    return { backend: 'unavailable', skipped: [], error: (e as Error).message };
  }
}

interface OrtModule {
  listSupportedBackends(): { name: string; bundled: boolean }[];
  InferenceSession: {
    create(model: Uint8Array, options: { executionProviders: (string | { name: string; deviceId?: number })[]; logSeverityLevel?: number }): Promise<{ release(): Promise<void> }>;
  };
}

export async function detectOnnx(gpus: GpuDevice[]): Promise<OnnxReport> {
  const require = createRequire(import.meta.url);
  let ort: OrtModule;
  let entry: string;
  try {
    entry = require.resolve('onnxruntime-node');
    ort = (await import('onnxruntime-node')) as unknown as OrtModule;
  } catch (e) {
    return { providers: [], unavailable: [], error: `onnxruntime-node does not load: ${firstLine((e as Error).message)}` };
  }
  let version: string | undefined;
  try {
    version = (require('onnxruntime-node/package.json') as { version?: string }).version;
  } catch {
    // only for the report
  }
  const known = ort.listSupportedBackends().map((b) => b.name);
  const providers: string[] = [];
  const unavailable: OnnxReport['unavailable'] = [];
  // The CUDA provider's library is downloaded by onnxruntime-node's install script, next to the binding.
  const bindingDir = path.join(path.dirname(entry), '..', 'bin', 'napi-v6', process.platform, process.arch);
  if (known.includes('cuda')) {
    const lib = path.join(bindingDir, 'libonnxruntime_providers_cuda.so');
    if (!existsSync(lib)) {
      unavailable.push({ provider: 'cuda', reason: 'not installed (libonnxruntime_providers_cuda.so missing: install onnxruntime-node with ONNXRUNTIME_NODE_INSTALL=cuda12, as Dockerfile.gpu does)' });
    } else if (gpus.length === 0) {
      unavailable.push({ provider: 'cuda', reason: 'installed, but this worker has no GPU' });
    } else {
      const probe = await probeProvider(ort, { name: 'cuda', deviceId: gpus[0]?.ordinal ?? gpus[0]?.index ?? 0 });
      if (probe === true) providers.push('cuda');
      else unavailable.push({ provider: 'cuda', reason: `installed but does not load: ${probe}` });
    }
  }
  for (const name of known) {
    if (name === 'cpu') providers.push('cpu');
    else if (name === 'tensorrt') unavailable.push({ provider: name, reason: 'not probed (needs the TensorRT libraries, which Sluice images do not ship)' });
    else if (name !== 'cuda') unavailable.push({ provider: name, reason: 'not used by Sluice workers' });
  }
  return { ...(version ? { version } : {}), providers, unavailable };
}

/** Opens a session on a one-node model with only this provider: true, or why it failed. */
async function probeProvider(ort: OrtModule, provider: { name: string; deviceId: number }): Promise<true | string> {
  try {
    const session = await ort.InferenceSession.create(identityModel(), { executionProviders: [provider], logSeverityLevel: 4 });
    await session.release();
    return true;
  } catch (e) {
    return firstLine((e as Error).message);
  }
}

function firstLine(text: string): string {
  // ONNX Runtime's messages carry terminal colour codes and long native traces.
  // eslint-disable-next-line no-control-regex -- the escape character is what terminal colour codes start with
  const clean = text.replace(/\u001b\[[0-9;]*m/g, '').split('\n')[0] ?? '';
  return clean.length > 300 ? `${clean.slice(0, 300)}…` : clean;
}

// --- a minimal ONNX model (y = Identity(x), float[1]), encoded by hand: protobuf wire format -----

function varint(n: number): number[] {
  const out: number[] = [];
  let v = n;
  while (v > 0x7f) {
    out.push((v & 0x7f) | 0x80);
    v >>>= 7;
  }
  out.push(v);
  return out;
}
const num = (field: number, value: number): number[] => [...varint(field << 3), ...varint(value)];
const bytes = (field: number, value: number[]): number[] => [...varint((field << 3) | 2), ...varint(value.length), ...value];
const str = (field: number, value: string): number[] => bytes(field, [...new TextEncoder().encode(value)]);

/** ModelProto { ir_version 8, opset_import { "" 13 }, graph { node Identity(x) -> y, input x, output y } }. */
export function identityModel(): Uint8Array {
  // ValueInfoProto { name, type: TypeProto { tensor_type { elem_type FLOAT, shape { dim { dim_value 1 } } } } }
  const valueInfo = (name: string): number[] => [...str(1, name), ...bytes(2, bytes(1, [...num(1, 1), ...bytes(2, bytes(1, num(1, 1)))]))];
  const node = [...str(1, 'x'), ...str(2, 'y'), ...str(4, 'Identity')];
  const graph = [...bytes(1, node), ...str(2, 'probe'), ...bytes(11, valueInfo('x')), ...bytes(12, valueInfo('y'))];
  return new Uint8Array([...num(1, 8), ...bytes(8, [...str(1, ''), ...num(2, 13)]), ...bytes(7, graph)]);
}
