/**
 * Loads a pipeline for the CLI: a TypeScript/JavaScript module exporting a pipeline (compiled here),
 * or an IR JSON file (validated here). Either way the result is validated IR.
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { compile, isPipeline, PipelineValidationError, type AnyPipeline } from '../../dsl/index';
import { parseIrJson, type PipelineSpec } from '../../dsl/ir/index';
import { CliError } from './CliError';
import { importPipelineFile } from '../userModules';

export interface LoadedPipeline {
  spec: PipelineSpec;
  digest?: string;
  /** The module's exports when loaded from code (workers register its components). */
  moduleExports?: Record<string, unknown>;
  file: string;
}

export async function loadPipeline(file: string, options: { pipeline?: string } = {}): Promise<LoadedPipeline> {
  const abs = path.resolve(file);
  const rel = path.relative(process.cwd(), abs);
  const moduleName = rel.startsWith('..') ? abs : `./${rel}`;
  if (abs.endsWith('.json')) {
    let text: string;
    try {
      text = await readFile(abs, 'utf8');
    } catch (e) {
      throw new CliError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
    }
    const result = parseIrJson(text, file);
    if (!result.ok) throw new PipelineValidationError(result.issues);
    return { spec: result.spec, file: abs };
  }
  // A missing file is told apart from a missing import of the file before importing it: the loader's
  // ERR_MODULE_NOT_FOUND says which module only in its message.
  if (!(await stat(abs).then((s) => s.isFile(), () => false))) throw new CliError(`cannot read ${file}: no such file`);
  let mod: Record<string, unknown>;
  try {
    mod = await importPipelineFile(abs);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err instanceof PipelineValidationError || err.name === 'DslError') throw err;
    throw new CliError(`could not load ${file}: ${err.message}`);
  }
  const pipelines = Object.entries(mod).filter((e): e is [string, AnyPipeline] => isPipeline(e[1]));
  const unique = [...new Map(pipelines.map(([k, p]) => [p, k])).entries()];
  let chosen: AnyPipeline | undefined;
  if (options.pipeline) {
    chosen = unique.find(([p, k]) => p.name === options.pipeline || k === options.pipeline)?.[0];
    if (!chosen) {
      throw new CliError(`${file} has no pipeline named "${options.pipeline}"; it exports: ${unique.map(([p]) => p.name).join(', ') || 'none'}`);
    }
  } else if (unique.length === 1) {
    chosen = unique[0]?.[0];
  } else if (isPipeline(mod.default)) {
    chosen = mod.default;
  } else if (unique.length === 0) {
    throw new CliError(`${file} exports no pipeline; export one made with pipeline() (e.g. \`export default pipeline({...}, ...)\`)`);
  } else {
    throw new CliError(`${file} exports several pipelines (${unique.map(([p]) => p.name).join(', ')}); choose one with --pipeline <name>`);
  }
  if (!chosen) throw new CliError(`${file}: no pipeline selected`);
  const { spec, digest } = compile(chosen, { module: moduleName });
  return { spec, digest, moduleExports: mod, file: abs };
}
