/**
 * `npm run bench:cli`: how long the `sluice` command takes, compiled (dist/cli.js, what the
 * installed package runs) against the TypeScript sources through tsx (bin/sluice.js in a checkout,
 * what every call paid before the package was built):
 *
 *   (a) `sluice --version`;
 *   (b) `sluice run` of a one-step pipeline (bench/fixtures/oneStep.ts) against a warm `sluice dev`
 *       (the compiled one, started once, its state in a temporary folder), parse to `succeeded`.
 *
 * Each command runs --reps times (default 5) after one warm-up, compiled and tsx alternating; the
 * median counts, with the children's CPU time (user + system) beside it: on a shared machine the
 * wall time also holds the wait for a core, the CPU time does not. The last line is always
 * `cli version ms X run ms Y` (compiled, median wall time). Builds dist/ first when it is missing.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { projectRoot } from '../engine/paths';

const reps = Number(process.argv.find((a) => a.startsWith('--reps='))?.slice(7) ?? 5);
const compiled = path.join(projectRoot, 'dist', 'cli.js');
const viaTsx = path.join(projectRoot, 'bin', 'sluice.js');
const pipelineFile = path.join('bench', 'fixtures', 'oneStep.ts');

interface Sample {
  wallMs: number;
  cpuMs: number;
  output: string;
  status: number | null;
}

/** One child run: its wall time, and its CPU time (this process's children's, before and after). */
function timeCommand(args: string[], env: NodeJS.ProcessEnv): Sample {
  const cpuBefore = childrenCpuMs();
  const started = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { cwd: projectRoot, env, encoding: 'utf8', maxBuffer: 16 << 20 });
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  return { wallMs, cpuMs: childrenCpuMs() - cpuBefore, output: `${r.stdout}${r.stderr}`, status: r.status };
}

/** User + system CPU time of this process's waited-for children (Linux: /proc/self/stat cutime, cstime; NaN elsewhere). */
function childrenCpuMs(): number {
  try {
    const text = readFileSync('/proc/self/stat', 'utf8');
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    // Fields 16 and 17 of stat(5), in clock ticks (USER_HZ, 100 on Linux).
    return (Number(fields[13]) + Number(fields[14])) * 10;
  } catch {
    return Number.NaN;
  }
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
};

function measure(label: string, args: string[], env: NodeJS.ProcessEnv, check: (s: Sample) => void): { wallMs: number; cpuMs: number } {
  check(timeCommand(args, env)); // warm-up: file system cache, tsx's transform cache
  const samples: Sample[] = [];
  for (let i = 0; i < reps; i++) {
    const s = timeCommand(args, env);
    check(s);
    samples.push(s);
  }
  const result = { wallMs: median(samples.map((s) => s.wallMs)), cpuMs: median(samples.map((s) => s.cpuMs)) };
  process.stdout.write(`  ${label.padEnd(34)} ${result.wallMs.toFixed(0).padStart(6)} ms wall  ${result.cpuMs.toFixed(0).padStart(6)} ms cpu\n`);
  return result;
}

function ok(what: string, pattern: RegExp): (s: Sample) => void {
  return (s) => {
    if (s.status !== 0 || !pattern.test(s.output)) throw new Error(`${what} failed (status ${s.status}):\n${s.output}`);
  };
}

async function startDev(home: string): Promise<{ url: string; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, [compiled, 'dev', '--port', '0'], { cwd: projectRoot, env: { ...process.env, SLUICE_HOME: home }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    const onData = (d: Buffer): void => {
      out += d.toString();
      const m = /Sluice is up: (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m?.[1]) resolve(m[1]);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`sluice dev exited (${code}) before it was up:\n${out}`)));
  });
  return {
    url,
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

async function main(): Promise<void> {
  if (!existsSync(compiled)) {
    process.stdout.write('dist/ is missing: building it (npm run build)…\n');
    const b = spawnSync('npm', ['run', '--silent', 'build'], { cwd: projectRoot, stdio: 'inherit' });
    if (b.status !== 0) throw new Error('npm run build failed');
  }
  process.stdout.write(`sluice CLI start-up: ${reps} runs each (median), ${os.cpus().length} cores, load ${os.loadavg()[0]?.toFixed(1)}\n`);
  const env = { ...process.env, SLUICE_URL: undefined };
  process.stdout.write('sluice --version\n');
  const version = measure('compiled (dist/cli.js)', [compiled, '--version'], env, ok('--version', /^\d+\.\d+\.\d+/));
  measure('tsx (bin/sluice.js, sources)', [viaTsx, '--version'], env, ok('--version', /^\d+\.\d+\.\d+/));

  const home = await mkdtemp(path.join(os.tmpdir(), 'sluice-bench-cli-'));
  const dev = await startDev(home);
  let run: { wallMs: number; cpuMs: number };
  try {
    const runEnv = { ...process.env, SLUICE_URL: dev.url };
    process.stdout.write(`sluice run ${pipelineFile} (one step) against a warm sluice dev (${dev.url})\n`);
    const succeeded = ok('sluice run', /succeeded/);
    run = measure('compiled (dist/cli.js)', [compiled, 'run', pipelineFile, '--no-cache'], runEnv, succeeded);
    measure('tsx (bin/sluice.js, sources)', [viaTsx, 'run', pipelineFile, '--no-cache'], runEnv, succeeded);
  } finally {
    await dev.stop();
    await rm(home, { recursive: true, force: true });
  }
  process.stdout.write(`cli version ms ${version.wallMs.toFixed(0)} run ms ${run.wallMs.toFixed(0)}\n`);
}

await main();
