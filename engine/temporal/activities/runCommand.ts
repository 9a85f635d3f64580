/**
 * Runs a command component (`impl.kind === 'command'`) as a subprocess: replaces the placeholders
 * of its argv with local paths and values, streams its output lines, stops its whole process group
 * on cancellation, and reads its parameter outputs back from the files it wrote.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, readFile, readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { parseArg, placeholder, placeholderMismatch, type ArgPart, type PlaceholderKind } from '../../../dsl/ir/placeholders';
import { NonRetryableError, SluiceError } from '../../../dsl/errors';
import { parseParamText } from '../../../dsl/ir/portTypes';
import type { CommandImpl, ComponentSpec, PortSpec } from '../../../dsl/ir/schema';
import type { Json } from '../../../dsl/ports';
import type { OutputArtifact } from '../../../dsl/runtime';

export interface RunCommandOptions {
  /** A component spec whose `impl.kind` is `'command'`. */
  spec: ComponentSpec;
  /** Prefix of every error message, e.g. `task "train" (component "train-py")`. */
  where: string;
  /** Parameter values; `InputArtifact` (or `InputArtifact[]` for list ports) for artifact inputs. */
  inputs: Record<string, unknown>;
  /** Artifact outputs: the command writes each at `.path`. */
  outputs: Record<string, OutputArtifact>;
  /** Scratch directory of this attempt (exists); parameter output files are put under it. */
  workDir: string;
  /** Default working directory; `impl.workingDir` and `impl.sources` are relative to it. */
  projectRoot: string;
  /** Aborting stops the command's whole process group (SIGTERM, SIGKILL 5 s later). */
  signal: AbortSignal;
  /** Every output line, as it arrives (without the newline). */
  onLine: (stream: 'stdout' | 'stderr', line: string) => void;
  /** Extra environment from the worker (over the component's `env`). */
  env?: Record<string, string>;
}

/** The executable is not on this worker: retrying on the same worker cannot help. */
export class CommandNotFoundError extends NonRetryableError {
  override readonly name: string = 'CommandNotFoundError';
  override readonly code: string = 'command-not-found';
}

/** The command spec or the task's inputs do not fit together (bad placeholder, missing input, bad dir). */
export class CommandSpecError extends NonRetryableError {
  override readonly name: string = 'CommandSpecError';
  override readonly code: string = 'command-spec';
}

/** The command exited non-zero or was killed: may be transient (OOM, flaky network), so retryable. */
export class CommandFailedError extends SluiceError {
  override readonly name: string = 'CommandFailedError';
  override readonly code: string = 'command-failed';
  constructor(
    message: string,
    readonly exitCode: number | null,
    readonly signal: NodeJS.Signals | null,
    readonly stderrTail: string,
  ) {
    super(message);
  }
}

/** The command exited 0 but a parameter output file is missing or does not parse as its type. */
export class CommandOutputError extends NonRetryableError {
  override readonly name: string = 'CommandOutputError';
  override readonly code: string = 'command-output';
}

/** The attempt was cancelled and the command stopped. */
export class CommandCancelledError extends SluiceError {
  override readonly name: string = 'CommandCancelledError';
  override readonly code: string = 'command-cancelled';
}

const KILL_GRACE_MS = 5_000;
const TAIL_LINES = 20;
const TAIL_CHARS = 2_048;
/** Output without newlines is passed on in pieces of this size rather than held in memory. */
const MAX_LINE_CHARS = 64 * 1024;
/** Parameter values travel through workflow history: bigger results belong in artifacts. */
const MAX_PARAM_FILE_BYTES = 1024 * 1024;

export async function runCommand(o: RunCommandOptions): Promise<Record<string, Json>> {
  const { spec, where } = o;
  if (spec.impl.kind !== 'command') {
    throw new CommandSpecError(`${where}: component "${spec.name}" is a ${spec.impl.kind} component, not a command`);
  }
  const impl = spec.impl;
  if (o.signal.aborted) throw new CommandCancelledError(`${where}: cancelled before the command started`);

  const outputFiles = paramOutputFiles(spec, o.workDir);
  const argv = await buildArgv(impl, spec, o, outputFiles);
  const [file, ...args] = argv;
  if (file === undefined || file === '') {
    throw new CommandSpecError(`${where}: the command has no executable after its placeholders were replaced`);
  }
  const cwd = path.resolve(o.projectRoot, impl.workingDir ?? '.');
  const cwdStat = await stat(cwd).catch(() => undefined);
  if (!cwdStat?.isDirectory()) {
    throw new CommandSpecError(`${where}: working directory "${impl.workingDir ?? '.'}" (${cwd}) does not exist on this worker`);
  }
  await mkdir(path.join(o.workDir, 'outputs'), { recursive: true });
  for (const f of outputFiles.values()) await rm(f, { force: true }); // no stale value from a previous try

  // Unbuffered Python by default, so its lines arrive as they are printed; anyone may override it.
  const env: NodeJS.ProcessEnv = { PYTHONUNBUFFERED: '1', ...process.env, ...impl.env, ...o.env, SLUICE_WORK_DIR: o.workDir };
  const result = await spawnAndWait(file, args, { cwd, env, where, signal: o.signal, onLine: o.onLine });

  if (result.cancelled) {
    throw new CommandCancelledError(`${where}: cancelled; the command was stopped (its process group got SIGTERM${result.killed ? ', then SIGKILL' : ''})`);
  }
  if (result.signal !== null || result.code !== 0) {
    const tail = result.stderrTail || '(nothing on stderr)';
    const what =
      result.signal !== null
        ? `command was killed by signal ${result.signal}${result.signal === 'SIGKILL' ? ' (out of memory? the kernel kills with SIGKILL)' : ''}`
        : `command exited with code ${result.code}`;
    throw new CommandFailedError(`${where}: ${what}: ${tail}`, result.code, result.signal, result.stderrTail);
  }
  return readParamOutputs(spec, where, outputFiles);
}

/**
 * sha256 over the content of `impl.sources` (files, or every file under a directory), sorted by
 * path, paths included. Undefined when the component lists no sources.
 */
export async function commandSourcesDigest(spec: ComponentSpec, projectRoot: string): Promise<string | undefined> {
  if (spec.impl.kind !== 'command' || !spec.impl.sources?.length) return undefined;
  const files = new Map<string, string>(); // project-relative posix path -> absolute path
  for (const source of spec.impl.sources) {
    const abs = path.resolve(projectRoot, source);
    const st = await stat(abs).catch(() => undefined);
    if (!st) {
      throw new CommandSpecError(
        `component "${spec.name}": source "${source}" was not found (looked for ${abs}); fix the component's sources or put the file on the worker`,
      );
    }
    for (const f of st.isDirectory() ? await filesUnder(abs) : [abs]) {
      files.set(path.relative(projectRoot, f).split(path.sep).join('/'), f);
    }
  }
  const hash = createHash('sha256');
  for (const rel of [...files.keys()].sort()) {
    const content = await readFile(files.get(rel) as string);
    hash.update(`${rel}\0${createHash('sha256').update(content).digest('hex')}\n`);
  }
  return hash.digest('hex');
}

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await filesUnder(p)));
    else if (entry.isFile()) out.push(p);
  }
  return out;
}

// ---- argv ---------------------------------------------------------------------------------

function paramOutputFiles(spec: ComponentSpec, workDir: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const [name, port] of Object.entries(spec.outputs)) {
    if (port.kind === 'parameter') files.set(name, path.join(workDir, 'outputs', encodeURIComponent(name)));
  }
  return files;
}

/** A placeholder's replacement: one string, several (a list of artifacts), or nothing (unset). */
type Replacement = string | string[] | undefined;

async function buildArgv(impl: CommandImpl, spec: ComponentSpec, o: RunCommandOptions, outputFiles: Map<string, string>): Promise<string[]> {
  const argv: string[] = [];
  const outputDirs = new Set<string>();
  const replace = (kind: PlaceholderKind, name: string): Replacement => {
    const why = placeholderMismatch(kind, name, spec);
    if (why) throw new CommandSpecError(`${o.where}: command ${why}`);
    const port = (kind === 'inputPath' || kind === 'inputValue' ? spec.inputs : spec.outputs)[name] as PortSpec;
    switch (kind) {
      case 'inputPath':
      case 'inputValue': {
        let value = o.inputs[name];
        if (value === undefined && port.kind === 'parameter') value = port.default;
        if (value === undefined || (value === null && port.kind === 'artifact')) {
          if (port.optional) return undefined;
          throw new CommandSpecError(`${o.where}: input "${name}" has no value, but the command needs it (${placeholder(kind, name)})`);
        }
        if (kind === 'inputValue') return port.type === 'string' && typeof value === 'string' ? value : JSON.stringify(value);
        return Array.isArray(value) ? value.map((v) => artifactPath(v, name, o.where)) : artifactPath(value, name, o.where);
      }
      case 'outputPath': {
        const out = o.outputs[name];
        if (!out) throw new CommandSpecError(`${o.where}: no output path was given for artifact output "${name}"`);
        outputDirs.add(path.dirname(out.path));
        return out.path;
      }
      case 'outputFile':
        return outputFiles.get(name);
    }
  };

  for (const [i, arg] of impl.command.entries()) {
    let parts: ArgPart[];
    try {
      parts = parseArg(arg);
    } catch (e) {
      throw new CommandSpecError(`${o.where}: command element ${i}: ${(e as Error).message}`);
    }
    const [only] = parts;
    if (parts.length === 1 && only && 'kind' in only) {
      // A whole-element placeholder: unset drops the element, a list gives one element per path.
      const r = replace(only.kind, only.name);
      if (Array.isArray(r)) argv.push(...r);
      else if (r !== undefined) argv.push(r);
      continue;
    }
    argv.push(
      parts
        .map((p) => {
          if (!('kind' in p)) return p.text;
          const r = replace(p.kind, p.name);
          return Array.isArray(r) ? r.join(',') : (r ?? '');
        })
        .join(''),
    );
  }
  for (const dir of outputDirs) await mkdir(dir, { recursive: true });
  return argv;
}

function artifactPath(value: unknown, port: string, where: string): string {
  const p = typeof value === 'object' && value !== null ? (value as { path?: unknown }).path : undefined;
  if (typeof p !== 'string') throw new CommandSpecError(`${where}: input "${port}" is not a materialised artifact (it has no local path)`);
  return p;
}

// ---- the process --------------------------------------------------------------------------

interface ProcessResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderrTail: string;
  cancelled: boolean;
  /** SIGKILL was needed. */
  killed: boolean;
}

interface SpawnOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  where: string;
  signal: AbortSignal;
  onLine: RunCommandOptions['onLine'];
}

function spawnAndWait(file: string, args: string[], o: SpawnOptions): Promise<ProcessResult> {
  return new Promise<ProcessResult>((resolve, reject) => {
    // Its own process group, so that cancelling also stops whatever the command started.
    const child = spawn(file, args, { cwd: o.cwd, env: o.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const tail = new Tail();
    const deliver = (stream: 'stdout' | 'stderr', line: string) => {
      if (stream === 'stderr') tail.push(line);
      try {
        o.onLine(stream, line);
      } catch {
        // A failing log sink must not take the command (or the worker) down.
      }
    };
    const out = lineSplitter((l) => deliver('stdout', l));
    const err = lineSplitter((l) => deliver('stderr', l));
    child.stdout.setEncoding('utf8').on('data', out.push);
    child.stderr.setEncoding('utf8').on('data', err.push);

    let spawned = false;
    let settled = false;
    let cancelled = false;
    let killed = false;
    let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    const timers: NodeJS.Timeout[] = [];
    const killGroup = (sig: NodeJS.Signals) => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, sig);
        if (sig === 'SIGKILL') killed = true;
      } catch {
        // ESRCH: the group is already gone.
      }
    };
    const onAbort = () => {
      cancelled = true;
      killGroup('SIGTERM');
      timers.push(setTimeout(() => killGroup('SIGKILL'), KILL_GRACE_MS));
    };
    const settle = () => {
      if (settled) return;
      settled = true;
      timers.forEach(clearTimeout);
      o.signal.removeEventListener('abort', onAbort);
      if (cancelled) killGroup('SIGKILL'); // stragglers that closed their output but ignored SIGTERM
      out.flush();
      err.flush();
      resolve({ code: exit?.code ?? child.exitCode, signal: exit?.signal ?? child.signalCode, stderrTail: tail.text(), cancelled, killed });
    };

    child.once('spawn', () => {
      spawned = true;
      o.signal.addEventListener('abort', onAbort, { once: true });
      if (o.signal.aborted) onAbort();
    });
    child.on('error', (e: NodeJS.ErrnoException) => {
      if (spawned || settled) return; // kill() failures after start are handled by killGroup
      settled = true;
      reject(spawnError(e, file, o));
    });
    child.once('exit', (code, signal) => {
      exit = { code, signal };
      // Background processes the command left behind belong to this attempt: stop them, and do not
      // wait forever for ones that keep our pipes open.
      killGroup('SIGTERM');
      timers.push(
        setTimeout(() => {
          killGroup('SIGKILL');
          child.stdout.destroy();
          child.stderr.destroy();
          settle();
        }, KILL_GRACE_MS),
      );
    });
    child.once('close', settle);
  });
}

function spawnError(e: NodeJS.ErrnoException, file: string, o: SpawnOptions): Error {
  if (e.code === 'ENOENT') {
    const pathVar = o.env.PATH ?? '';
    const shortPath = pathVar.length > 200 ? `${pathVar.slice(0, 200)}…` : pathVar;
    const looked = file.includes('/') ? `in ${o.cwd}` : `PATH=${shortPath}`;
    return new CommandNotFoundError(
      `${o.where}: executable "${file}" was not found (${looked}); install it on the worker or fix the command` +
        (file.includes('/') ? ' (if the file exists, the interpreter named on its #! line is missing)' : ''),
    );
  }
  if (e.code === 'EACCES') {
    return new CommandSpecError(`${o.where}: "${file}" is not executable (permission denied); chmod +x it or run it through its interpreter`);
  }
  return new CommandFailedError(`${o.where}: could not start "${file}": ${e.message}`, null, null, '');
}

/** Splits a text stream into lines; a trailing partial line is passed on by `flush`. */
function lineSplitter(emit: (line: string) => void): { push: (chunk: string) => void; flush: () => void } {
  let pending = '';
  const emitLine = (line: string) => emit(line.endsWith('\r') ? line.slice(0, -1) : line);
  return {
    push: (chunk: string) => {
      const lines = (pending + chunk).split('\n');
      pending = lines.pop() ?? '';
      lines.forEach(emitLine);
      if (pending.length > MAX_LINE_CHARS) {
        emit(pending);
        pending = '';
      }
    },
    flush: () => {
      if (pending !== '') emitLine(pending);
      pending = '';
    },
  };
}

/** The last lines of stderr, bounded in lines and characters: never the whole output. */
class Tail {
  private lines: string[] = [];
  private chars = 0;
  push(line: string): void {
    const l = line.length > TAIL_CHARS ? `…${line.slice(-TAIL_CHARS)}` : line;
    this.lines.push(l);
    this.chars += l.length + 1;
    while (this.lines.length > TAIL_LINES || (this.chars > TAIL_CHARS && this.lines.length > 1)) {
      this.chars -= (this.lines.shift() as string).length + 1;
    }
  }
  text(): string {
    return this.lines.join('\n').trimEnd();
  }
}

// ---- parameter outputs --------------------------------------------------------------------

async function readParamOutputs(spec: ComponentSpec, where: string, files: Map<string, string>): Promise<Record<string, Json>> {
  const values: Record<string, Json> = {};
  for (const [name, file] of files) {
    const port = spec.outputs[name] as PortSpec;
    const ph = placeholder('outputFile', name);
    const size = await stat(file).then((s) => s.size, () => undefined);
    if (size === undefined) {
      if (port.optional) continue;
      throw new CommandOutputError(`${where}: output "${name}": the command exited 0 but did not write ${ph} (${file})`);
    }
    if (size > MAX_PARAM_FILE_BYTES) {
      throw new CommandOutputError(`${where}: output "${name}": ${file} holds ${size} bytes; parameters must be small, write an artifact output instead`);
    }
    // `echo 0.9 > file` ends with a newline that is not part of the value.
    const text = (await readFile(file, 'utf8')).replace(/\r?\n$/, '');
    let parsed: ReturnType<typeof parseParamText>;
    try {
      parsed = parseParamText(text, port.type);
    } catch (e) {
      parsed = { ok: false, error: (e as Error).message };
    }
    if (!parsed.ok) {
      throw new CommandOutputError(`${where}: output "${name}": ${file} does not hold a valid ${port.type}: ${parsed.error}`);
    }
    values[name] = parsed.value as Json;
  }
  return values;
}
