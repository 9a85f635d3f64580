/**
 * The `sluice` command as a user runs it from a terminal, for CLI tests: a child process in the
 * repository root with a state directory of its own, its output collected, and waiting for lines.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';
import { projectRoot } from '../../engine/paths';

export interface CliProcess {
  child: ChildProcessWithoutNullStreams;
  /** stdout and stderr so far, interleaved. */
  out: () => string;
  closed: Promise<number | null>;
}

/** Environment for a CLI run on state directory `home`: embedded stack, shared workflow-bundle cache. */
export function cliEnv(home: string): NodeJS.ProcessEnv {
  return { ...process.env, SLUICE_HOME: home, SLUICE_CACHE_DIR: path.join(projectRoot, '.sluice', 'cache'), DATABASE_URL: '', TEMPORAL_ADDRESS: '', SLUICE_URL: '' };
}

export interface CliOptions {
  home: string;
  /** Variables over cliEnv(home). */
  env?: NodeJS.ProcessEnv;
  /** Its own process group (kill it and its children with process.kill(-pid, signal)). */
  detached?: boolean;
}

export function startCli(home: string, ...args: string[]): CliProcess {
  return startCliWith({ home }, ...args);
}

export function startCliWith(options: CliOptions, ...args: string[]): CliProcess {
  const child = spawn(process.execPath, [path.join(projectRoot, 'bin', 'sluice.js'), ...args], {
    cwd: projectRoot,
    env: { ...cliEnv(options.home), ...options.env },
    detached: options.detached ?? false,
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
  return { child, out: () => out, closed };
}

/** Runs a command to its end. */
export async function runCli(home: string, ...args: string[]): Promise<{ code: number | null; out: string }> {
  return runCliWith({ home }, ...args);
}

export async function runCliWith(options: CliOptions, ...args: string[]): Promise<{ code: number | null; out: string }> {
  const p = startCliWith(options, ...args);
  const code = await p.closed;
  return { code, out: p.out() };
}

/** Waits until the output matches. */
export async function waitForOutput(out: () => string, re: RegExp, timeoutMs = 90_000): Promise<RegExpExecArray> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const m = re.exec(out());
    if (m) return m;
    if (Date.now() > until) throw new Error(`output never matched ${re}:\n${out()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
