/**
 * `command()`: a component whose implementation is any executable. Its argv is written with typed
 * placeholders (`ph.inputPath('data')`, …) that the worker replaces with local paths and values
 * when it runs the command (engine/temporal/activities/runCommand.ts). Browser-safe: no Node APIs.
 */
import { declarePorts, toExecutionOptions, type ComponentDefinition, type ExecutionOptionsInput } from './component';
import { toMs, type Duration } from './duration';
import { DslError, NonRetryableError } from './errors';
import { canonicalJson, sha256Hex } from './ir/digest';
import type { CacheSpec, CommandImpl, ComponentSpec } from './ir/schema';
import type { ArtifactKeys, ParamKeys, PortMap } from './ports';
import type { RunFunction } from './runtime';
import { HAS_PLACEHOLDER, parseArg, placeholder, placeholderMismatch, type ArgPart, type PlaceholderKind } from './ir/placeholders';

export { parseArg, placeholder, placeholderMismatch, PLACEHOLDER_KINDS } from './ir/placeholders';
export type { ArgPart, PlaceholderKind } from './ir/placeholders';

/** Builds placeholder strings; each only accepts the names of ports of the matching kind. */
export interface Placeholders<I extends PortMap, O extends PortMap> {
  /** Local path of input artifact `name` (one argv element per path for a list of artifacts). */
  inputPath(name: ArtifactKeys<I> & string): string;
  /** Parameter input `name` as text: strings as they are, anything else as JSON. */
  inputValue(name: ParamKeys<I> & string): string;
  /** Where the command writes output artifact `name` (a file, or a directory it creates). */
  outputPath(name: ArtifactKeys<O> & string): string;
  /** A file the command writes parameter output `name` into; parsed by the port's type. */
  outputFile(name: ParamKeys<O> & string): string;
}

/** As `cache` of `component()`; converted here so that command() does not depend on toExecutionOptions doing it. */
export interface CommandCacheOptions {
  /** Caching is on by default; `false` always runs the command. */
  enabled?: boolean;
  /** Results older than this are not reused. */
  maxAge?: Duration;
}

export interface CommandOptions<I extends PortMap, O extends PortMap> extends ExecutionOptionsInput {
  name: string;
  version?: string;
  description?: string;
  category?: string;
  inputs?: I;
  outputs?: O;
  /** The argv, built from placeholders: `ph => ['python3', 'train.py', ph.inputPath('data')]`. No shell. */
  command: (ph: Placeholders<I, O>) => readonly string[];
  /** Extra environment variables for the command. */
  env?: Record<string, string>;
  /** Working directory, relative to the worker's project root (default: the project root). */
  workingDir?: string;
  /** Files the command runs (scripts), relative to the project root: their content is part of the cache key. */
  sources?: string[];
  /** `false` is short for `{ enabled: false }`. */
  cache?: CommandCacheOptions | false;
}

/**
 * Declares a component that runs an executable on a worker.
 *
 * ```ts
 * const train = command({
 *   name: 'train-py',
 *   inputs: { data: t.Dataset(), epochs: t.int({ default: 3 }) },
 *   outputs: { model: t.Model(), score: t.float() },
 *   command: (ph) => ['python3', 'scripts/train.py', ph.inputPath('data'), `--epochs=${ph.inputValue('epochs')}`,
 *                     '--model', ph.outputPath('model'), '--score', ph.outputFile('score')],
 *   sources: ['scripts/train.py'],
 * });
 * ```
 */
export function command<const I extends PortMap = Record<never, never>, const O extends PortMap = Record<never, never>>(
  options: CommandOptions<I, O>,
): ComponentDefinition<I, O> {
  const where = `command component "${options.name}"`;
  const ports = declarePorts(options, where);
  const { inputs, outputs } = ports;

  // The builders check eagerly too, so a JS caller (or a cast) learns which call was wrong.
  const make = (kind: PlaceholderKind) => (name: string) => {
    const why = placeholderMismatch(kind, name, ports);
    if (why) throw new DslError(`${where}: ${why}`);
    return placeholder(kind, name);
  };
  const ph = {
    inputPath: make('inputPath'),
    inputValue: make('inputValue'),
    outputPath: make('outputPath'),
    outputFile: make('outputFile'),
  } as Placeholders<I, O>;
  const argv = [...options.command(ph)];

  if (argv.length === 0 || typeof argv[0] !== 'string' || argv[0] === '') {
    throw new DslError(`${where}: the command is empty; give at least the executable, e.g. ['python3', 'train.py']`);
  }
  // Strings may also hold hand-written placeholders: check every one against the ports.
  const used = new Set<string>();
  for (const [i, arg] of argv.entries()) {
    if (typeof arg !== 'string') throw new DslError(`${where}: command element ${i} is not a string`);
    let parts: ArgPart[];
    try {
      parts = parseArg(arg);
    } catch (e) {
      throw new DslError(`${where}: command element ${i}: ${(e as Error).message}`);
    }
    for (const part of parts) {
      if (!('kind' in part)) continue;
      const why = placeholderMismatch(part.kind, part.name, ports);
      if (why) throw new DslError(`${where}: ${why}`);
      used.add(placeholder(part.kind, part.name));
    }
  }
  for (const [name, port] of Object.entries(outputs)) {
    const needed = port.kind === 'parameter' ? placeholder('outputFile', name) : port.optional ? undefined : placeholder('outputPath', name);
    if (needed && !used.has(needed)) {
      throw new DslError(`${where}: output "${name}" never appears in the command, so the command could never produce it; pass ${needed} (ph.${port.kind === 'parameter' ? 'outputFile' : 'outputPath'}('${name}')) to it`);
    }
  }
  for (const [key, value] of Object.entries(options.env ?? {})) {
    if (HAS_PLACEHOLDER.test(value)) {
      throw new DslError(`${where}: env ${key} holds a placeholder; placeholders are only replaced in the command, so pass it as an argument`);
    }
  }

  const identity = { command: argv, env: options.env, workingDir: options.workingDir, sources: options.sources };
  // The command is the code: editing it (or its env, dir, sources list) changes the digest.
  const impl: CommandImpl = { kind: 'command', command: argv, digest: sha256Hex(canonicalJson(identity)) };
  if (options.env !== undefined) impl.env = { ...options.env };
  if (options.workingDir !== undefined) impl.workingDir = options.workingDir;
  if (options.sources !== undefined) impl.sources = [...options.sources];
  const spec: ComponentSpec = {
    name: options.name,
    version: options.version ?? '1',
    inputs,
    outputs,
    impl,
    ...toExecutionOptions(options, where),
  };
  if (options.cache !== undefined) spec.cache = toCacheSpec(options.cache, where);
  if (options.description !== undefined) spec.description = options.description;
  if (options.category !== undefined) spec.category = options.category;

  const name = options.name;
  const run: RunFunction<I, O> = () => {
    throw new NonRetryableError(
      `command component "${name}" has no run(): the worker runs its command as a subprocess (engine/temporal/activities/runCommand); do not call run() directly`,
    );
  };
  return { kind: 'component', spec, run };
}

function toCacheSpec(c: CommandCacheOptions | false, where: string): CacheSpec {
  if (c === false) return { enabled: false };
  const out: CacheSpec = {};
  if (c.enabled !== undefined) out.enabled = c.enabled;
  if (c.maxAge !== undefined) out.maxAgeMs = toMs(c.maxAge, `${where}: cache.maxAge`);
  return out;
}
