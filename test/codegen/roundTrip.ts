/**
 * Round trip for the code generator: IR → TypeScript file → import → compile() → IR. The file is
 * written under .sluice/ (git-ignored, outside tsconfig) so that `sluice/dsl` and relative imports
 * of project files resolve as they would for a file in the project.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { compile, isComponent, isPipeline, type CompiledPipeline } from '../../dsl/index';
import type { ComponentSpec, PipelineSpec } from '../../dsl/ir/index';
import { generatePipelineSource, type ComponentImport } from '../../dsl/codegen/index';

export const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
export const GENERATED_DIR = `.sluice/codegen-test-${process.pid}`;

let counter = 0;

export function cleanGenerated(): void {
  rmSync(path.join(ROOT, GENERATED_DIR), { recursive: true, force: true });
}

/** Finds export names of function components by code digest in modules' exports (what `sluice export-ts` does). */
export function resolverFor(modules: Record<string, Record<string, unknown>>): (c: ComponentSpec) => ComponentImport | undefined {
  const byDigest = new Map<string, ComponentImport>();
  for (const [module, exports] of Object.entries(modules)) {
    for (const [name, value] of Object.entries(exports)) {
      if (isComponent(value) && !byDigest.has(value.spec.impl.digest)) byDigest.set(value.spec.impl.digest, { module, export: name });
    }
  }
  return (c) => byDigest.get(c.impl.digest);
}

export interface RoundTrip {
  source: string;
  file: string;
  compiled: CompiledPipeline;
}

/** Generates the source for `spec`, writes it, imports it and compiles its default export. */
export async function roundTrip(
  spec: PipelineSpec,
  options: { module?: string; resolveComponent?: (c: ComponentSpec) => ComponentImport | undefined; name?: string } = {},
): Promise<RoundTrip> {
  const rel = `${GENERATED_DIR}/${options.name ?? spec.name}-${++counter}.ts`;
  const source = generatePipelineSource(spec, { fromFile: rel, ...(options.resolveComponent ? { resolveComponent: options.resolveComponent } : {}) });
  const file = path.join(ROOT, rel);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, source);
  const mod = (await import(pathToFileURL(file).href)) as { default?: unknown };
  if (!isPipeline(mod.default)) throw new Error(`${rel} has no default pipeline export`);
  const compiled = compile(mod.default, options.module !== undefined ? { module: options.module } : {});
  return { source, file: rel, compiled };
}
