/**
 * `sluice export-ts <pipeline file | IR json | pipeline name[@version]> [-o file]`: writes a pipeline
 * as TypeScript (dsl/codegen) — e.g. one drawn in the editor and stored by the API — that compiles
 * back to the same IR. Function components that record only their file (as `sluice compile`
 * records components of the compiled file) are imported by the export whose code digest matches.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Command } from 'commander';
import { isComponent } from '../../../dsl/index';
import { validatePipeline, type ComponentSpec, type PipelineSpec } from '../../../dsl/ir/index';
import { PipelineValidationError } from '../../../dsl/errors';
import { CodegenError, generatePipelineSource, type ComponentImport } from '../../../dsl/codegen/index';
import { StateDirBusyError } from '../../stack/index';
import { CliError } from '../CliError';
import { loadPipeline } from '../loadPipeline';
import { withMetadata } from '../metadataAccess';
import { toWire } from '../reader';
import { onTarget } from '../target';
import { importUserModule } from '../../userModules';
import { pipelineVersionSummarySchema, type PipelineVersionSummary } from '../../contract/index';

/** Function components without an export name, by module (nested pipelines included). */
function modulesToSearch(spec: PipelineSpec, out = new Set<string>()): Set<string> {
  for (const c of Object.values(spec.components)) {
    if (c.impl.kind === 'function' && c.impl.module !== undefined && c.impl.export === undefined) out.add(c.impl.module);
    if (c.impl.kind === 'pipeline') modulesToSearch(c.impl.spec, out);
  }
  return out;
}

/** Maps code digests to the export that holds the component, importing the modules the IR names. */
async function digestResolver(
  spec: PipelineSpec,
  known: Record<string, Record<string, unknown>>,
): Promise<(c: ComponentSpec) => ComponentImport | undefined> {
  const byDigest = new Map<string, ComponentImport>();
  for (const module of modulesToSearch(spec)) {
    let exports = known[module];
    if (!exports) {
      const target = /^[./]/.test(module) || /\.(c|m)?(t|j)sx?$/.test(module) ? pathToFileURL(path.resolve(module)).href : module;
      try {
        exports = await importUserModule(target);
      } catch (e) {
        throw new CliError(`cannot import ${module} to find its components' export names: ${(e as Error).message}`);
      }
    }
    for (const [name, value] of Object.entries(exports)) {
      if (isComponent(value) && !byDigest.has(value.spec.impl.digest)) byDigest.set(value.spec.impl.digest, { module, export: name });
    }
  }
  return (c) => byDigest.get(c.impl.digest);
}

/** A stored pipeline version: `name` (the newest) or `name@<version id or digest prefix>`; from the server when one is reachable. */
async function storedSpec(ref: string): Promise<PipelineSpec> {
  const at = ref.lastIndexOf('@');
  const name = at > 0 ? ref.slice(0, at) : ref;
  const version = at > 0 ? ref.slice(at + 1) : undefined;
  const noPipeline = (): CliError =>
    new CliError(`no pipeline file, IR file or stored pipeline named "${name}"; give a .ts/.json file or a name listed by the API`, { code: 'not-found' });
  const choose = (versions: PipelineVersionSummary[]): PipelineVersionSummary => {
    const chosen = version === undefined ? versions[0] : versions.find((v) => v.id === version || v.digest.startsWith(version));
    if (!chosen) {
      throw new CliError(`pipeline "${name}" has no version "${version ?? ''}"; its versions: ${versions.map((v) => `${v.id} (digest ${v.digest.slice(0, 12)})`).join(', ') || 'none'}`, {
        code: 'not-found',
      });
    }
    return chosen;
  };
  const vanished = (id: string): CliError => new CliError(`pipeline version ${id} disappeared while reading it; try again`, { code: 'not-found' });
  return onTarget({
    api: async (api) => {
      const found = await api.found((c) => c.getPipeline({ params: { pipeline: name } }));
      if (!found || found.pipeline.name !== name) throw noPipeline();
      const chosen = choose(found.versions);
      const record = await api.found((c) => c.getPipelineVersion({ params: { pipeline: found.pipeline.id, version: chosen.id } }));
      if (!record) throw vanished(chosen.id);
      // The wire carries the IR as a JSON object: what it holds is the IR validator's to say.
      const checked = validatePipeline(record.version.spec);
      if (!checked.ok) throw new PipelineValidationError(checked.issues);
      return checked.spec;
    },
    local: async () => {
      try {
        return await withMetadata(async (m) => {
          const pipeline = (await m.listPipelines()).find((p) => p.name === name);
          if (!pipeline) throw noPipeline();
          const chosen = choose((await m.listPipelineVersions({ pipelineId: pipeline.id })).map((v) => toWire(pipelineVersionSummarySchema, v)));
          const record = await m.getPipelineVersion(chosen.id);
          if (!record) throw vanished(chosen.id);
          return record.spec;
        });
      } catch (e) {
        if (e instanceof StateDirBusyError) {
          throw new CliError(`${e.message}\nThe embedded database serves one process at a time: stop that process, or fetch the IR from the API and pass the .json file.`);
        }
        throw e;
      }
    },
  });
}

export function registerExportTsCommand(program: Command): void {
  program
    .command('export-ts')
    .description('write a pipeline (file, IR or stored version) as TypeScript that compiles back to the same IR')
    .argument('<source>', 'pipeline module (.ts/.js), IR (.json), or a stored pipeline: name or name@<version id|digest prefix>')
    .option('-o, --output <file>', 'write the code to this file (imports are made relative to it) instead of stdout')
    .option('--pipeline <name>', 'which pipeline, when the module exports several')
    .action(async (source: string, opts: { output?: string; pipeline?: string }) => {
      let spec: PipelineSpec;
      const known: Record<string, Record<string, unknown>> = {};
      if (/\.(json|(c|m)?(t|j)sx?)$/.test(source)) {
        const loaded = await loadPipeline(source, opts);
        spec = loaded.spec;
        if (loaded.moduleExports) {
          const rel = path.relative(process.cwd(), loaded.file);
          known[rel.startsWith('..') ? loaded.file : `./${rel}`] = loaded.moduleExports;
        }
      } else {
        spec = await storedSpec(source);
      }
      const out = opts.output === undefined ? undefined : path.relative(process.cwd(), path.resolve(opts.output));
      let code: string;
      try {
        code = generatePipelineSource(spec, {
          ...(out !== undefined ? { fromFile: out.startsWith('..') ? path.resolve(out) : out } : {}),
          resolveComponent: await digestResolver(spec, known),
          header: `Pipeline "${spec.name}", generated by \`sluice export-ts ${source}\`.`,
        });
      } catch (e) {
        if (e instanceof CodegenError) throw new CliError(e.message);
        throw e;
      }
      if (opts.output === undefined) {
        process.stdout.write(code);
        return;
      }
      await mkdir(path.dirname(path.resolve(opts.output)), { recursive: true });
      await writeFile(opts.output, code);
      process.stderr.write(`wrote ${opts.output} (pipeline "${spec.name}", ${Object.keys(spec.dag.tasks).length} top-level nodes)\n`);
    });
}
