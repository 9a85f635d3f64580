/**
 * Worker identities: the string each Temporal worker reports when it polls (WorkerOptions.identity).
 * Temporal shows it per poller (DescribeTaskQueue) and per activity attempt (history, UI), so it
 * carries what an operator needs to tell workers apart — process, role, GPUs, ML runtimes:
 *
 *   12345@gpu-node-1 sluice/gpu gpus=0,1 tfjs=tfjs-node-gpu onnx=cuda,cpu
 *
 * Pure string functions: the API parses what the workers wrote.
 */

export type WorkerRole = 'control' | 'cpu' | 'gpu';

/** What a task worker offers, as found at start (workers/runtime). */
export interface WorkerRuntime {
  /** GPU indices (nvidia-smi's numbering); empty on a CPU worker. */
  gpus: number[];
  /** TensorFlow.js backend: tfjs-node-gpu, tfjs-node, cpu. */
  tfjs?: string;
  /** ONNX Runtime execution providers that work, best first. */
  onnx?: string[];
}

export interface ParsedIdentity {
  /** `pid@host`: one worker process (its control, cpu and gpu workers share it). */
  process: string;
  role?: WorkerRole;
  runtime?: WorkerRuntime;
}

/** Temporal limits identities to ~1000 characters; keep well inside. */
const MAX_LENGTH = 500;
const TOKEN = /^[\w.@:+-]+$/;

export function workerIdentity(processName: string, role: WorkerRole, runtime?: WorkerRuntime): string {
  const parts = [processName.replace(/\s+/g, '_'), `sluice/${role}`];
  if (runtime) {
    if (runtime.gpus.length) parts.push(`gpus=${runtime.gpus.join(',')}`);
    if (runtime.tfjs && TOKEN.test(runtime.tfjs)) parts.push(`tfjs=${runtime.tfjs}`);
    const onnx = runtime.onnx?.filter((p) => TOKEN.test(p));
    if (onnx?.length) parts.push(`onnx=${onnx.join(',')}`);
  }
  return parts.join(' ').slice(0, MAX_LENGTH);
}

/** Reads an identity written by workerIdentity; any other string is a process name without role. */
export function parseWorkerIdentity(identity: string): ParsedIdentity {
  const [processName = identity, ...rest] = identity.trim().split(/\s+/);
  const roleToken = rest.find((t) => t.startsWith('sluice/'));
  const role = roleToken?.slice('sluice/'.length);
  if (role !== 'control' && role !== 'cpu' && role !== 'gpu') return { process: identity };
  const field = (name: string): string | undefined => rest.find((t) => t.startsWith(`${name}=`))?.slice(name.length + 1);
  const list = (text: string | undefined): string[] => (text ? text.split(',').filter(Boolean) : []);
  if (role === 'control') return { process: processName, role };
  const tfjs = field('tfjs');
  const onnx = list(field('onnx'));
  return {
    process: processName,
    role,
    runtime: {
      gpus: list(field('gpus'))
        .map(Number)
        .filter((n) => Number.isInteger(n) && n >= 0),
      ...(tfjs ? { tfjs } : {}),
      ...(onnx.length ? { onnx } : {}),
    },
  };
}
