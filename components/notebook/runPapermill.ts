/**
 * Runs the papermill driver as a subprocess in its own process group: its output lines go to the
 * task log as they come, cancelling stops the group (SIGTERM, then SIGKILL), and the kernel, in a
 * session of its own, exits when it sees its parent gone (ipykernel's parent poller).
 */
import { spawn } from 'node:child_process';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { DriverResultSchema, PAPERMILL_DRIVER, type DriverRequest, type DriverResult } from './papermillDriver';
import { NotebookCancelledError, NotebookFailedError, NotebookPythonNotFoundError } from './notebookErrors';
import { installAdvice } from './notebookPython';

const KILL_GRACE_MS = 5_000;
/** Output without newlines is passed on in pieces of this size rather than held in memory. */
const MAX_LINE_CHARS = 64 * 1024;
const TAIL_LINES = 20;

export interface RunPapermillOptions {
  python: string;
  request: Omit<DriverRequest, 'result'>;
  /** Scratch directory of the attempt: the request and result files go here. */
  workDir: string;
  signal: AbortSignal;
  /** Every output line (ANSI colours removed), as it arrives. */
  onLine: (stream: 'stdout' | 'stderr', line: string) => void;
  where: string;
}

export async function runPapermill(o: RunPapermillOptions): Promise<DriverResult> {
  if (o.signal.aborted) throw new NotebookCancelledError(`${o.where}: cancelled before the notebook started`);
  const requestFile = join(o.workDir, 'notebook-request.json');
  const resultFile = join(o.workDir, 'notebook-result.json');
  await rm(resultFile, { force: true }); // no stale result from a previous try
  await writeFile(requestFile, JSON.stringify({ ...o.request, result: resultFile } satisfies DriverRequest));

  const exit = await spawnDriver(o, requestFile);
  if (exit.cancelled) throw new NotebookCancelledError(`${o.where}: cancelled; papermill and its kernel were stopped`);
  const text = await readFile(resultFile, 'utf8').catch(() => undefined);
  const parsed = text === undefined ? undefined : DriverResultSchema.safeParse(parseJson(text));
  if (parsed?.success) return parsed.data;
  const how = exit.signal !== null ? `was killed by signal ${exit.signal}${exit.signal === 'SIGKILL' ? ' (out of memory?)' : ''}` : `exited with code ${exit.code}`;
  throw new NotebookFailedError(`${o.where}: the notebook runner (${o.python}) ${how} without a result: ${exit.tail || '(nothing on stderr)'}`);
}

interface DriverExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  cancelled: boolean;
  /** The last lines of stderr. */
  tail: string;
}

function spawnDriver(o: RunPapermillOptions, requestFile: string): Promise<DriverExit> {
  return new Promise<DriverExit>((resolve, reject) => {
    const child = spawn(o.python, ['-c', PAPERMILL_DRIVER, requestFile], {
      cwd: o.request.cwd,
      env: { ...process.env, PYTHONUNBUFFERED: '1', SLUICE_WORK_DIR: o.workDir },
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const tail: string[] = [];
    const deliver = (stream: 'stdout' | 'stderr', raw: string) => {
      const line = stripVTControlCharacters(raw.endsWith('\r') ? raw.slice(0, -1) : raw);
      if (stream === 'stderr') {
        tail.push(line);
        if (tail.length > TAIL_LINES) tail.shift();
      }
      try {
        o.onLine(stream, line);
      } catch {
        // A failing log sink must not take the notebook down.
      }
    };
    const splitters = (['stdout', 'stderr'] as const).map((stream) => {
      let pending = '';
      child[stream].setEncoding('utf8').on('data', (chunk: string) => {
        const lines = (pending + chunk).split('\n');
        pending = lines.pop() ?? '';
        lines.forEach((l) => deliver(stream, l));
        if (pending.length > MAX_LINE_CHARS) {
          deliver(stream, pending);
          pending = '';
        }
      });
      return () => {
        if (pending !== '') deliver(stream, pending);
        pending = '';
      };
    });

    let cancelled = false;
    let settled = false;
    const timers: NodeJS.Timeout[] = [];
    const killGroup = (sig: NodeJS.Signals) => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, sig);
      } catch {
        // ESRCH: the group is already gone.
      }
    };
    const onAbort = () => {
      cancelled = true;
      killGroup('SIGTERM');
      timers.push(setTimeout(() => killGroup('SIGKILL'), KILL_GRACE_MS));
    };
    child.once('spawn', () => {
      o.signal.addEventListener('abort', onAbort, { once: true });
      if (o.signal.aborted) onAbort();
    });
    child.once('error', (e: NodeJS.ErrnoException) => {
      if (settled) return;
      settled = true;
      o.signal.removeEventListener('abort', onAbort);
      if (e.code === 'ENOENT' || e.code === 'EACCES') {
        reject(new NotebookPythonNotFoundError(`${o.where}: the Python that runs notebooks, "${o.python}", ${e.code === 'ENOENT' ? 'was not found' : 'is not executable'} on this worker; it needs papermill, nbconvert and ipykernel: ${installAdvice(o.python)}`));
      } else reject(new NotebookFailedError(`${o.where}: could not start ${o.python}: ${e.message}`));
    });
    let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    const settle = () => {
      if (settled) return;
      settled = true;
      timers.forEach(clearTimeout);
      o.signal.removeEventListener('abort', onAbort);
      splitters.forEach((flush) => flush());
      if (cancelled) killGroup('SIGKILL'); // stragglers that ignored SIGTERM
      resolve({ code: exit?.code ?? child.exitCode, signal: exit?.signal ?? child.signalCode, cancelled, tail: tail.join('\n').trim() });
    };
    child.once('exit', (code, signal) => {
      exit = { code, signal };
      // The kernel, in a session of its own, shares our pipes: do not wait forever for one that lingers.
      timers.push(
        setTimeout(() => {
          child.stdout.destroy();
          child.stderr.destroy();
          settle();
        }, KILL_GRACE_MS),
      );
    });
    child.once('close', settle);
  });
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined; // a result cut short: reported as no result
  }
}
