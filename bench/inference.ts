/**
 * `npm run bench:inference`: onnxruntime-node against onnxruntime (Python) on the same ONNX model
 * and the same float32 batches, same session settings (intra-op threads, one inter-op thread,
 * sequential execution, full graph optimisation, CPU provider), same ONNX Runtime version.
 *
 *   1. train a small dense iris classifier with TF.js and export it with `export-onnx`;
 *   2. generate --rows (100,000) seeded rows of its 4 features and write them raw (float32 LE) to
 *      .sluice/bench/inference/batches.f32 with meta.json; both sides read that file;
 *   3. Python: a virtualenv at .sluice/bench-venv (created once; pip installs the onnxruntime
 *      version that matches onnxruntime-node, and numpy) runs bench/inference.py, which loads the
 *      model and the rows and then takes commands on stdin, so the two sides can alternate;
 *   4. per batch size: --warmup (2) + --reps (7) samples per side, alternating, each sample
 *      --passes (5) passes over every row; per batch a Tensor viewing the buffer (no copy). Node
 *      runs twice: outputs into one preallocated buffer (what batch-inference does) and the plain
 *      `run(feeds)` with new outputs per batch; Python runs `sess.run(None, {name: batch})`;
 *   5. prints medians, wall clock and per CPU-second, and a check that both sides' outputs agree.
 *
 * --batch (4096, batch-inference's default) is the size that counts; --no-sweep skips the others.
 * Flags: --rows N, --batch B, --threads T (intra-op threads on both sides, 1), --reps R, --warmup W,
 * --passes P, --no-sweep. The last line is always `inference ratio X` (Node rows/s ÷ Python rows/s,
 * wall clock, at --batch, Node writing into a buffer as batch-inference does).
 */
import { execFileSync, spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import { loadIris } from '../components/data/loadIris';
import { exportOnnx } from '../components/export/exportOnnx';
import { mulberry32 } from '../components/random';
import { cleanupComponentRuns, runComponent } from '../components/testing/runComponent';
import { trainClassifier } from '../components/train/trainClassifier';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const work = path.join(root, '.sluice', 'bench', 'inference');
const venv = path.join(root, '.sluice', 'bench-venv');
const python = path.join(venv, 'bin', 'python');

function intArg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = Number(process.argv[i + 1]);
  if (!Number.isInteger(v) || v <= 0) throw new Error(`--${name} takes a positive integer, got ${process.argv[i + 1] ?? 'nothing'}`);
  return v;
}
const rows = intArg('rows', 100_000);
const batch = intArg('batch', 4096); // batch-inference's default batchSize
const threads = intArg('threads', 1);
const reps = intArg('reps', 7);
const warmup = intArg('warmup', 2);
const passes = intArg('passes', 5);
const batchSizes = process.argv.includes('--no-sweep') ? [batch] : [...new Set([batch, 64, 256, 1024, 16384])];

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const fmt = (x: number): string => Math.round(x).toLocaleString('en-US');

/** The Python side (bench/inference.py), driven one command at a time over stdin/stdout. */
class PythonSide {
  private readonly proc: ChildProcessWithoutNullStreams;
  private readonly lines: AsyncIterator<string>;
  constructor(metaPath: string) {
    // numpy's OpenBLAS starts a spinning thread per core; nothing here uses BLAS, and on a small
    // machine those threads would take CPU from both sides.
    this.proc = spawn(python, [path.join(root, 'bench', 'inference.py'), metaPath], {
      env: { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1' },
    });
    this.proc.stderr.on('data', (d: Buffer) => process.stderr.write(d));
    this.lines = createInterface({ input: this.proc.stdout })[Symbol.asyncIterator]();
  }
  async read<T>(): Promise<T> {
    const next = await this.lines.next();
    if (next.done) throw new Error(`bench/inference.py exited (code ${this.proc.exitCode}); see its stderr above`);
    return JSON.parse(next.value) as T;
  }
  async ask<T>(command: string): Promise<T> {
    this.proc.stdin.write(`${command}\n`);
    return this.read<T>();
  }
  quit(): void {
    this.proc.stdin.end('quit\n');
  }
}

interface Pass {
  wall: number;
  cpu: number;
}

/** The venv with onnxruntime (same version as onnxruntime-node where PyPI has it) and numpy. */
function ensureVenv(ortVersion: string): void {
  if (!existsSync(python)) {
    console.log(`creating the Python virtualenv ${path.relative(root, venv)} …`);
    execFileSync('python3', ['-m', 'venv', venv], { stdio: 'inherit' });
  }
  const has = spawnSync(python, ['-c', 'import onnxruntime, numpy; print(onnxruntime.__version__)'], { encoding: 'utf8' });
  if (has.status === 0 && has.stdout.trim() === ortVersion) return;
  console.log(`pip install onnxruntime==${ortVersion} numpy …`);
  const pinned = spawnSync(python, ['-m', 'pip', 'install', '-q', `onnxruntime==${ortVersion}`, 'numpy'], { stdio: 'inherit' });
  if (pinned.status !== 0) {
    console.log(`onnxruntime ${ortVersion} is not on PyPI for this platform; installing the latest (versions will differ)`);
    execFileSync(python, ['-m', 'pip', 'install', '-q', 'onnxruntime', 'numpy'], { stdio: 'inherit' });
  }
}

/** The Node side: one session, batches as views into one buffer, outputs read like numpy's. */
class NodeSide {
  private readonly probabilities = new Float32Array(rows * 3);
  private readonly labels = new BigInt64Array(rows);
  private constructor(private readonly session: ort.InferenceSession, private readonly x: Float32Array, private readonly width: number) {}
  static async open(modelPath: string, x: Float32Array, width: number): Promise<NodeSide> {
    const session = await ort.InferenceSession.create(modelPath, {
      executionProviders: ['cpu'],
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
    });
    return new NodeSide(session, x, width);
  }
  private views(size: number): Float32Array[] {
    const views: Float32Array[] = [];
    for (let s = 0; s < rows; s += size) views.push(this.x.subarray(s * this.width, Math.min(rows, s + size) * this.width));
    return views;
  }
  /**
   * One timed sample: `passes` passes over every row. `into: 'new'` lets ONNX Runtime allocate
   * each batch's outputs (the plain `run(feeds)`); `into: 'buffer'` hands it output tensors that
   * view one preallocated result buffer, as batch-inference does.
   */
  async sample(size: number, into: 'new' | 'buffer'): Promise<Pass> {
    const views = this.views(size);
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    for (let k = 0; k < passes; k++) {
      let row = 0;
      for (const v of views) {
        const n = v.length / this.width;
        const feeds = { features: new ort.Tensor('float32', v, [n, this.width]) };
        if (into === 'new') {
          const out = await this.session.run(feeds);
          void out.probabilities!.data; // read, as the numpy arrays are on the Python side
        } else {
          await this.session.run(feeds, {
            probabilities: new ort.Tensor('float32', this.probabilities.subarray(row * 3, (row + n) * 3), [n, 3]),
            label: new ort.Tensor('int64', this.labels.subarray(row, row + n), [n]),
          });
        }
        row += n;
      }
    }
    const wall = (performance.now() - t0) / 1000;
    const c = process.cpuUsage(c0);
    return { wall: wall / passes, cpu: (c.user + c.system) / 1e6 / passes };
  }
  async checksum(size: number): Promise<{ checksum: number; firstRow: number[] }> {
    let checksum = 0;
    let firstRow: number[] = [];
    for (const v of this.views(size)) {
      const p = (await this.session.run({ features: new ort.Tensor('float32', v, [v.length / this.width, this.width]) })).probabilities!.data as Float32Array;
      if (firstRow.length === 0) firstRow = Array.from(p.subarray(0, 3));
      for (const value of p) checksum += value;
    }
    return { checksum, firstRow };
  }
  release(): Promise<void> {
    return this.session.release();
  }
}

async function main(): Promise<void> {
  const ortVersion = ort.env.versions.node ?? ort.env.versions.common;
  const load = (): string => os.loadavg().map((l) => l.toFixed(2)).join(' ');
  console.log(`Sluice inference benchmark — ${new Date().toISOString()} — ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? '?'}), Node ${process.version}, onnxruntime-node ${ortVersion}`);
  console.log(`${rows.toLocaleString('en-US')} rows, batch sizes ${batchSizes.join(', ')} (ratio at ${batch}), intra-op threads ${threads} on both sides, ${warmup} warm-up + ${reps} timed samples of ${passes} passes per side, alternating (median); load average ${load()}`);
  await mkdir(work, { recursive: true });
  ensureVenv(ortVersion);

  // 1. A small model: iris, two hidden layers, exported and verified by the component itself.
  const iris = await runComponent(loadIris, {});
  const trained = await runComponent(trainClassifier, { train: iris.outputs.dataset, hiddenLayers: [64, 32], epochs: 30 });
  const exported = await runComponent(exportOnnx, { model: trained.outputs.model, data: iris.outputs.dataset });
  const modelPath = path.join(work, 'model.onnx');
  await copyFile(exported.outputs.onnx.path, modelPath);
  const width = 4;
  console.log(`model: dense 4 → 64 → 32 → 3 (relu, softmax), ONNX opset 13, ${exported.outputs.onnx.properties.bytes as number} bytes; export verified (max |ONNX − TF.js| ${exported.result.maxAbsDiff.toExponential(2)})`);
  await cleanupComponentRuns();

  // 2. The batches, one raw float32 file both sides read: rows around iris's feature ranges.
  const random = mulberry32(7);
  const lo = [4.3, 2.0, 1.0, 0.1];
  const hi = [7.9, 4.4, 6.9, 2.5];
  const x = new Float32Array(rows * width);
  for (let i = 0; i < x.length; i++) x[i] = lo[i % width]! + random() * (hi[i % width]! - lo[i % width]!);
  const batchesPath = path.join(work, 'batches.f32');
  await writeFile(batchesPath, Buffer.from(x.buffer, x.byteOffset, x.byteLength)); // little-endian on x86/ARM

  const metaPath = path.join(work, 'meta.json');
  const meta = { model: modelPath, batches: batchesPath, rows, features: width, inputName: 'features', checksumOutput: 'probabilities', intraOpNumThreads: threads, interOpNumThreads: 1 };
  await writeFile(metaPath, JSON.stringify(meta, null, 2));
  const py = new PythonSide(metaPath);
  const info = await py.read<{ onnxruntime: string; numpy: string; python: string }>();
  const node = await NodeSide.open(modelPath, x, width);
  console.log(`Python ${info.python}, onnxruntime ${info.onnxruntime}, numpy ${info.numpy}`);

  // Same computation on both sides?
  const nc = await node.checksum(batch);
  const pc = await py.ask<{ checksum: number; firstRow: number[] }>(`checksum ${batch}`);
  const agree = Math.abs(nc.checksum - pc.checksum) <= 1e-6 * rows && nc.firstRow.every((v, k) => Math.abs(v - pc.firstRow[k]!) < 1e-6);
  console.log(`outputs: Σ probabilities Node ${nc.checksum.toFixed(4)}, Python ${pc.checksum.toFixed(4)}; first row equal: ${agree}`);
  if (!agree) throw new Error('Node and Python outputs differ: the comparison is not of the same computation');

  console.log('');
  console.log('rows/s (wall clock; in brackets rows per CPU-second, which background load disturbs less):');
  console.log('');
  console.log('| batch | Node, outputs into a buffer (batch-inference) | Node, new outputs per run | Python `run(None, feeds)` | Node ÷ Python |');
  console.log('|---|---|---|---|---|');
  let ratio = Number.NaN;
  for (const size of batchSizes) {
    const samples: Record<'buffer' | 'new' | 'python', Pass[]> = { buffer: [], new: [], python: [] };
    // Alternate the sides sample by sample, so that background load hits them alike.
    for (let i = 0; i < warmup + reps; i++) {
      const b = await node.sample(size, 'buffer');
      const n = await node.sample(size, 'new');
      const p = await py.ask<Pass>(`sample ${size} ${passes}`);
      if (i >= warmup) {
        samples.buffer.push(b);
        samples.new.push(n);
        samples.python.push(p);
      }
    }
    const rate = (ps: Pass[], k: keyof Pass): number => median(ps.map((q) => rows / q[k]));
    const cell = (ps: Pass[]): string => `${fmt(rate(ps, 'wall'))} (${fmt(rate(ps, 'cpu'))})`;
    const r = rate(samples.buffer, 'wall') / rate(samples.python, 'wall');
    const rc = rate(samples.buffer, 'cpu') / rate(samples.python, 'cpu');
    console.log(`| ${size} | ${cell(samples.buffer)} | ${cell(samples.new)} | ${cell(samples.python)} | ${r.toFixed(2)} (${rc.toFixed(2)}) |`);
    if (size === batch) ratio = r;
  }
  py.quit();
  await node.release();
  console.log('');
  console.log(`load average after: ${load()}`);
  console.log(`inference ratio ${ratio.toFixed(2)}`);
}

main().catch((err: unknown) => {
  console.error(err);
  console.log('inference ratio n/a');
  process.exitCode = 1;
});
