/**
 * Child processes for tests that need real ones (workers killed with SIGKILL, servers restarted):
 * spawn, wait for a line of output, kill or stop, and never leave one behind — every process still
 * running when the test process exits is killed, and `stopAllProcesses()` ends them in afterAll.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { projectRoot } from '../../engine/paths';

export interface SpawnOptions {
  /** Shown in messages, e.g. "cpu worker #2". */
  name: string;
  /** The executable (default: this Node). */
  command?: string;
  args: string[];
  cwd?: string;
  /** Added to (and overriding) this process's environment; `undefined` removes a variable. */
  env?: Record<string, string | undefined>;
  /** Copy the child's output to this process's stderr as it comes (also with SLUICE_TEST_ECHO=1). */
  echo?: boolean;
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Last resort when a test fails or times out before its cleanup: no orphaned workers or servers.
  process.once('exit', () => {
    for (const child of live) {
      try {
        child.kill('SIGKILL');
      } catch {
        // already gone
      }
    }
  });
}

export class ManagedProcess {
  /** Settles when the process has exited (never rejects). */
  readonly exited: Promise<Exit>;
  private outputText = '';
  private exit: Exit | undefined;
  private readonly listeners = new Set<() => void>();

  private constructor(
    readonly name: string,
    private readonly child: ChildProcess,
    echo: boolean,
  ) {
    const onData = (d: Buffer): void => {
      const text = d.toString();
      this.outputText = (this.outputText + text).slice(-64_000);
      if (echo) process.stderr.write(text.replace(/^(?=.)/gm, `[${name}] `));
      for (const l of this.listeners) l();
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    this.exited = new Promise<Exit>((resolve) => {
      child.once('error', (e) => {
        this.outputText += `\n(spawn failed: ${e.message})`;
        live.delete(child);
        this.exit ??= { code: null, signal: null };
        resolve(this.exit);
        for (const l of this.listeners) l();
      });
      child.once('exit', (code, signal) => {
        live.delete(child);
        this.exit = { code, signal };
        resolve(this.exit);
        for (const l of this.listeners) l();
      });
    });
  }

  static spawn(options: SpawnOptions): ManagedProcess {
    installExitHook();
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const [k, v] of Object.entries(options.env ?? {})) {
      if (v === undefined) delete env[k];
      else env[k] = v;
    }
    const child = spawn(options.command ?? process.execPath, options.args, {
      cwd: options.cwd ?? projectRoot,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    live.add(child);
    return new ManagedProcess(options.name, child, options.echo ?? process.env.SLUICE_TEST_ECHO === '1');
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return this.exit === undefined;
  }

  /** stdout and stderr as they came (the last 64 kB). */
  get output(): string {
    return this.outputText;
  }

  /**
   * Waits until the output matches `pattern`; rejects, showing the output, when the process exits
   * first or after `timeoutMs`.
   */
  waitForOutput(pattern: RegExp, timeoutMs = 60_000): Promise<RegExpMatchArray> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        const m = pattern.exec(this.outputText);
        if (m) return finish(() => resolve(m));
        if (this.exit) {
          const how = this.exit.signal ? `was killed by ${this.exit.signal}` : `exited with status ${this.exit.code}`;
          return finish(() => reject(new Error(`${this.name} ${how} before printing ${pattern}; its output:\n${this.outputText}`)));
        }
      };
      const timer = setTimeout(
        () => finish(() => reject(new Error(`${this.name} did not print ${pattern} within ${timeoutMs} ms; its output:\n${this.outputText}`))),
        timeoutMs,
      );
      const finish = (settle: () => void): void => {
        clearTimeout(timer);
        this.listeners.delete(check);
        settle();
      };
      this.listeners.add(check);
      check();
    });
  }

  /** Sends `signal` (default SIGKILL, as a crash) and waits for the process to exit. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<Exit> {
    if (this.exit) return this.exit;
    this.child.kill(signal);
    return this.exited;
  }

  /** SIGTERM, then SIGKILL after `graceMs`; waits for the exit. */
  async stop(graceMs = 10_000): Promise<Exit> {
    if (this.exit) return this.exit;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }
}

export function spawnProcess(options: SpawnOptions): ManagedProcess {
  return ManagedProcess.spawn(options);
}

/** Runs `node bin/sluice.js <args>` from the project root. */
export function spawnSluice(name: string, args: string[], env: Record<string, string | undefined> = {}, echo?: boolean): ManagedProcess {
  return ManagedProcess.spawn({
    name,
    args: [path.join(projectRoot, 'bin', 'sluice.js'), ...args],
    env,
    ...(echo !== undefined ? { echo } : {}),
  });
}

/** Runs a command to its end: exit status and output. */
export async function runToEnd(options: SpawnOptions, timeoutMs = 120_000): Promise<Exit & { output: string }> {
  const p = ManagedProcess.spawn(options);
  const timer = setTimeout(() => void p.kill(), timeoutMs);
  const exit = await p.exited;
  clearTimeout(timer);
  return { ...exit, output: p.output };
}

/** Kills every process spawned here that is still running (SIGKILL), and waits for them. */
export async function stopAllProcesses(): Promise<void> {
  await Promise.all(
    [...live].map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGKILL');
        }),
    ),
  );
}
