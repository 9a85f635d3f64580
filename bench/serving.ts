/**
 * `npm run bench:serving`: Sluice's model server against BentoML (its adaptive batching on) and a
 * minimal FastAPI + uvicorn + onnxruntime app, all serving the same exported iris ONNX model on the
 * CPU over loopback.
 *
 *   1. train the iris classifier with TF.js and export it with `export-onnx` (as the example does);
 *   2. Sluice: register it in a fresh state directory (PGlite, local artifacts), point `champion` at
 *      it, and start `sluice model-server` as its own process (default batching settings);
 *      FastAPI and BentoML: the apps in bench/serving/, in a virtualenv that
 *      scripts/ensure-serving-bench.sh makes (pinned versions from PyPI);
 *   3. per server and concurrency (1, 16, 64): closed-loop load — that many clients, each sending
 *      its next request when the last is answered — one row of 4 features per request, --seconds
 *      (5) after a 1 s warm-up; keep-alive connections, one per client.
 *
 * The request is the same row in each server's own framing: Open Inference Protocol JSON to Sluice
 * and to the FastAPI app (same route and body), `{"features": [[…]]}` to BentoML's API. Prints
 * throughput and p50/p99 latency per server and concurrency; the last line is always
 * `serving ratio X` (Sluice ÷ BentoML throughput at 64; "n/a" when BentoML did not start, saying why).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadIris } from '../components/data/loadIris';
import { exportOnnx } from '../components/export/exportOnnx';
import { cleanupComponentRuns, runComponent } from '../components/testing/runComponent';
import { trainClassifier } from '../components/train/trainClassifier';
import { LocalArtifactStore } from '../engine/stores/artifacts/index';
import { openMetadataStore } from '../engine/stores/metadata/index';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const work = path.join(root, '.sluice', 'bench', 'serving');
const flag = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const SECONDS = flag('seconds', 5);
const LEVELS = [1, 16, 64];
const ROW = [5.1, 3.5, 1.4, 0.2];

interface Target {
  name: string;
  port: number;
  path: string;
  body: string;
}
interface Result {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function request(agent: http.Agent, t: Target): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: t.port, path: t.path, method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(t.body) } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(t.body);
  });
}

async function waitUp(t: Target, child: ChildProcess, what: string, timeoutMs = 180_000): Promise<void> {
  const agent = new http.Agent({ keepAlive: false });
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`${what} exited (status ${child.exitCode}) before answering`);
    try {
      if ((await request(agent, t)) === 200) return;
    } catch {
      /* not listening yet */
    }
    await sleep(500);
  }
  throw new Error(`${what} did not answer within ${timeoutMs / 1000} s`);
}

/** Closed loop: `concurrency` clients, each sending its next request when the last is answered. */
async function load(t: Target, concurrency: number, seconds: number): Promise<Result> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const latencies: number[] = [];
  let errors = 0;
  let measuring = false;
  let stop = false;
  const client = async () => {
    while (!stop) {
      const t0 = performance.now();
      const status = await request(agent, t).catch(() => 0);
      if (!measuring) continue;
      if (status !== 200) errors++;
      latencies.push(performance.now() - t0);
    }
  };
  const clients = Array.from({ length: concurrency }, client);
  await sleep(1000);
  measuring = true;
  const started = performance.now();
  await sleep(seconds * 1000);
  measuring = false;
  const elapsed = (performance.now() - started) / 1000;
  stop = true;
  await Promise.all(clients);
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? NaN;
  return { rps: latencies.length / elapsed, p50: q(0.5), p99: q(0.99), errors };
}

function stopChild(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGINT');
    setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
  });
}

async function main(): Promise<void> {
  await mkdir(work, { recursive: true });
  // 1. The model.
  const iris = await runComponent(loadIris, {});
  const trained = await runComponent(trainClassifier, { train: iris.outputs.dataset, hiddenLayers: [64, 32], epochs: 30 });
  const exported = await runComponent(exportOnnx, { model: trained.outputs.model, data: iris.outputs.dataset });
  const modelPath = path.join(work, 'model.onnx');
  await copyFile(exported.outputs.onnx.path, modelPath);
  await cleanupComponentRuns();
  console.log(`model: iris dense 4 → 64 → 32 → 3, exported by export-onnx (${modelPath}); ${os.cpus().length} CPUs; ${SECONDS} s per point after 1 s warm-up`);

  // 2. Sluice's state directory with the model registered as iris@champion.
  const home = await mkdtemp(path.join(os.tmpdir(), 'sluice-bench-serving-'));
  const metadata = await openMetadataStore({ dataDir: path.join(home, 'db') });
  const artifacts = new LocalArtifactStore({ root: path.join(home, 'artifacts') });
  const stored = await artifacts.put(modelPath);
  await metadata.recordArtifact({ id: 'bench-iris-onnx', type: 'Model', name: 'iris.onnx', uri: stored.uri, sha256: stored.sha256, size: stored.size, properties: {} });
  await metadata.registerModelVersion({ model: 'iris', artifactId: 'bench-iris-onnx', createdBy: 'bench' });
  await metadata.moveModelAlias({ model: 'iris', alias: 'champion', version: 1, actor: 'bench', note: 'bench' });
  await metadata.close();

  const oipBody = JSON.stringify({ inputs: [{ name: 'features', shape: [1, 4], datatype: 'FP32', data: ROW }] });
  const results: Record<string, Record<number, Result> | string> = {};
  const children: ChildProcess[] = [];
  const env = { ...process.env, SLUICE_HOME: home, SERVING_BENCH_MODEL: modelPath, SLUICE_LOG_LEVEL: 'warn' };

  const run = async (name: string, start: () => ChildProcess, target: Target): Promise<void> => {
    let child: ChildProcess | undefined;
    try {
      child = start();
      children.push(child);
      let stderr = '';
      child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
      await waitUp(target, child, name).catch((e: unknown) => {
        throw new Error(`${(e as Error).message}; its last output: ${stderr.trim().split('\n').slice(-3).join(' | ')}`);
      });
      const byLevel: Record<number, Result> = {};
      for (const c of LEVELS) {
        byLevel[c] = await load(target, c, SECONDS);
        const r = byLevel[c];
        console.log(`${name.padEnd(8)} concurrency ${String(c).padStart(2)}: ${r.rps.toFixed(0).padStart(6)} req/s, p50 ${r.p50.toFixed(2)} ms, p99 ${r.p99.toFixed(2)} ms${r.errors ? `, ${r.errors} errors` : ''}`);
      }
      results[name] = byLevel;
    } catch (e) {
      results[name] = (e as Error).message;
      console.log(`${name}: not measured: ${(e as Error).message}`);
    } finally {
      await stopChild(child);
    }
  };

  await run('sluice', () => spawn(process.execPath, [path.join(root, 'bin', 'sluice.js'), 'model-server', '--port', '18401'], { env, stdio: ['ignore', 'ignore', 'pipe'] }), {
    name: 'sluice',
    port: 18401,
    path: '/v2/models/iris@champion/infer',
    body: oipBody,
  });

  const venv = spawnSync('bash', [path.join(root, 'scripts', 'ensure-serving-bench.sh')], { encoding: 'utf8' });
  const python = venv.status === 0 ? venv.stdout.trim() : undefined;
  const noVenv = `the Python virtualenv could not be made: ${venv.stderr.trim().split('\n').slice(-2).join(' ')}`;
  const dir = path.join(root, 'bench', 'serving');
  if (python) {
    await run('fastapi', () => spawn(python, ['-m', 'uvicorn', 'fastapi_app:app', '--port', '18402', '--log-level', 'warning'], { cwd: dir, env, stdio: ['ignore', 'ignore', 'pipe'] }), {
      name: 'fastapi',
      port: 18402,
      path: '/v2/models/iris/infer',
      body: oipBody,
    });
    const bentoml = path.join(path.dirname(python), 'bentoml');
    await run('bentoml', () => spawn(bentoml, ['serve', 'bento_service:Iris', '--port', '18403'], { cwd: dir, env: { ...env, BENTOML_DO_NOT_TRACK: 'True' }, stdio: ['ignore', 'ignore', 'pipe'] }), {
      name: 'bentoml',
      port: 18403,
      path: '/predict',
      body: JSON.stringify({ features: [ROW] }),
    });
  } else {
    results.fastapi = noVenv;
    results.bentoml = noVenv;
    console.log(`fastapi, bentoml: not measured: ${noVenv}`);
  }
  await Promise.all(children.map(stopChild));
  await rm(home, { recursive: true, force: true });

  const sluice = results.sluice;
  const bento = results.bentoml;
  if (typeof sluice === 'object' && typeof bento === 'object') {
    console.log(`serving ratio ${(sluice[64]!.rps / bento[64]!.rps).toFixed(2)}`);
  } else {
    console.log(`serving ratio n/a (${typeof bento === 'string' ? `BentoML: ${bento}` : `Sluice: ${typeof sluice === "string" ? sluice : "not measured"}`})`);
  }
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    console.log('serving ratio n/a (the bench failed)');
    process.exit(1);
  },
);
