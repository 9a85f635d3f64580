/**
 * The runtime report a worker prints when it starts (`sluice worker`, `sluice dev`): the machine
 * (CPU, memory), its GPUs, and the ML runtimes its components will get. The same facts, shortened,
 * go into the worker's Temporal identity, which is how `GET /api/workers` and `sluice workers`
 * see them (engine/temporal/worker/identity.ts).
 */
import os from 'node:os';
import type { WorkerRuntime } from '../../engine/temporal/worker/index';
import { detectGpus, type DetectGpusOptions, type GpuDetection } from './gpus';
import { detectOnnx, detectTfjs, type OnnxReport, type TfjsReport } from './mlRuntimes';
import type { GpuDevice } from '../../engine/temporal/activities/index';

export interface RuntimeReport {
  host: string;
  pid: number;
  node: string;
  cpu: { model: string; count: number };
  memory: { totalMiB: number; freeMiB: number };
  gpus: GpuDetection;
  tfjs: TfjsReport;
  onnx: OnnxReport;
}

export interface CollectRuntimeOptions extends DetectGpusOptions {
  /** Skip loading the ML runtimes (a control-only worker runs no component). */
  skipMlRuntimes?: boolean;
}

export async function collectRuntimeReport(options: CollectRuntimeOptions = {}): Promise<RuntimeReport> {
  const gpus = await detectGpus(options);
  // In-process libraries number GPUs by CUDA's order; make it nvidia-smi's (PCI bus) order, which
  // the device pool hands out, before any of them loads.
  if (gpus.devices.length > 0) process.env.CUDA_DEVICE_ORDER ??= 'PCI_BUS_ID';
  const cpus = os.cpus();
  const skipped = { backend: 'not loaded', skipped: [] };
  const [tfjs, onnx] = options.skipMlRuntimes
    ? [skipped, { providers: [], unavailable: [] }]
    : await Promise.all([detectTfjs(), detectOnnx(gpus.devices)]);
  return {
    host: os.hostname(),
    pid: process.pid,
    node: process.version,
    cpu: { model: cpus[0]?.model.trim() || os.arch(), count: os.availableParallelism() },
    memory: { totalMiB: Math.round(os.totalmem() / 2 ** 20), freeMiB: Math.round(os.freemem() / 2 ** 20) },
    gpus,
    tfjs,
    onnx,
  };
}

/** What the worker's identity carries (engine/temporal/worker/identity.ts). */
export function runtimeSummary(report: RuntimeReport): WorkerRuntime {
  return {
    gpus: report.gpus.devices.map((d) => d.index),
    ...(report.tfjs.backend !== 'not loaded' ? { tfjs: report.tfjs.backend } : {}),
    ...(report.onnx.providers.length ? { onnx: report.onnx.providers } : {}),
  };
}

const gib = (mib: number): string => `${(mib / 1024).toFixed(1)} GiB`;

function gpuLine(d: GpuDevice): string {
  const facts = [d.memoryMiB !== undefined ? gib(d.memoryMiB) : undefined, d.driver ? `driver ${d.driver}` : undefined].filter(Boolean);
  return `#${d.index} ${d.name}${facts.length ? ` (${facts.join(', ')})` : ''}`;
}

/** One readable block, e.g. for the worker's stdout. `queues` lists what the worker serves, if known. */
export function formatRuntimeReport(report: RuntimeReport, queues: string[] = []): string {
  const lines = [`runtime of ${report.pid}@${report.host} (Node ${report.node}):`];
  const row = (label: string, text: string): void => {
    lines.push(`  ${label.padEnd(8)} ${text}`);
  };
  row('cpu', `${report.cpu.model} × ${report.cpu.count}`);
  row('memory', `${gib(report.memory.totalMiB)} total, ${gib(report.memory.freeMiB)} free`);
  const g = report.gpus;
  if (g.devices.length === 0) row('gpus', `none — ${g.note}`);
  else {
    row('gpus', `${g.devices.length} — ${g.note}; one task per GPU at a time`);
    for (const d of g.devices) row('', gpuLine(d));
  }
  const t = report.tfjs;
  const why = t.skipped.map((s) => `${s.package}: ${s.reason}`).join('; ');
  if (t.backend === 'not loaded') row('tfjs', 'not loaded (this worker runs no tasks)');
  else if (t.error) row('tfjs', `unavailable: ${t.error}`);
  else row('tfjs', `${t.backend} (${t.package ?? '?'})${why ? ` — not used: ${why}` : ''}`);
  const o = report.onnx;
  if (o.error) row('onnx', `unavailable: ${o.error}`);
  else if (o.providers.length === 0 && o.unavailable.length === 0) row('onnx', 'not loaded (this worker runs no tasks)');
  else {
    const cuda = o.unavailable.find((u) => u.provider === 'cuda');
    row('onnx', `providers ${o.providers.join(', ') || 'none'}${o.version ? ` (onnxruntime-node ${o.version})` : ''}${cuda ? ` — cuda: ${cuda.reason}` : ''}`);
  }
  if (queues.length) row('queues', queues.join(', '));
  return lines.join('\n');
}
