/**
 * Runs a benchmark in a child process of itself. Under load, the Temporal workflow worker thread
 * can abort the whole process natively ("async hook stack has become corrupted"); no handler in
 * that process can report it, so the parent does, with whatever results the child sent before.
 */
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';

const CHILD_ENV = 'SLUICE_BENCH_CHILD';

export function isBenchChild(): boolean {
  return process.env[CHILD_ENV] === '1';
}

/** From the child: a result the parent keeps even if the child dies later. */
export function sendToParent(message: Record<string, unknown>): void {
  process.send?.(message);
}

/** From the child: ends it, once the parent has been told that it ended by itself. */
export function exitChild(ok: boolean): void {
  const code = ok ? 0 : 1;
  if (process.send) process.send({ finished: ok }, () => process.exit(code));
  else process.exit(code);
}

export interface ChildExit {
  /** Exit code 0. */
  ok: boolean;
  /** Why the child died, when it ended without `exitChild` (a native abort exits 1 or by a signal). */
  died?: string;
  messages: Record<string, unknown>[];
}

/** Starts this same script as a child (same Node flags, same arguments) and calls `onExit` when it ends. */
export function superviseSelf(onExit: (exit: ChildExit) => void): void {
  const messages: Record<string, unknown>[] = [];
  const child = spawn(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
    stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, [CHILD_ENV]: '1' },
  });
  child.on('message', (m) => messages.push(m as Record<string, unknown>));
  // Stopped from outside (timeout, kill, Ctrl-C): the child goes first, then, below, whatever it
  // left running. Without this the parent would die at once and leave the child's processes behind.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    });
  }
  child.on('exit', (code, signal) => {
    const finished = messages.some((m) => 'finished' in m);
    // A child that died leaves its own children (the dev server, worker processes) and its temp dirs behind.
    if (!finished) {
      for (const m of messages) {
        for (const pid of Array.isArray(m.childPids) ? (m.childPids as number[]) : []) {
          try {
            // SIGKILL: a worker process would otherwise stop gracefully, waiting for its tasks.
            process.kill(pid, 'SIGKILL');
          } catch {
            // already gone
          }
        }
        for (const dir of Array.isArray(m.tempDirs) ? (m.tempDirs as string[]) : []) rmSync(dir, { recursive: true, force: true });
      }
    }
    const died = finished ? undefined : signal ? `signal ${signal}` : `exit code ${code ?? '?'}`;
    onExit({ ok: code === 0, ...(died ? { died } : {}), messages });
  });
}

/**
 * A benchmark's entry: in the child, runs `main` and exits with its verdict; in the parent, starts
 * the child and says so when it dies before finishing (the `FAILED:` line names `what`).
 */
export function runSupervised(main: () => Promise<boolean>, what = 'before the run finished'): void {
  if (isBenchChild()) {
    main().then(
      (ok) => exitChild(ok),
      (e: unknown) => {
        console.error(e);
        exitChild(false);
      },
    );
    return;
  }
  superviseSelf(({ ok, died }) => {
    if (died) console.log(`FAILED: the benchmark process died (${died}) ${what}`);
    process.exit(ok ? 0 : 1);
  });
}
