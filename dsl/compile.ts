/** `compile()`: a pipeline definition → validated IR (plain JSON) and its content digest. */
import { PipelineValidationError } from './errors';
import { pipelineDigest } from './ir/digest';
import type { PipelineSpec } from './ir/schema';
import { validatePipeline } from './ir/validate';
import type { AnyPipeline } from './pipeline';

export interface CompileOptions {
  /**
   * Module that workers import to find the pipeline's function components (e.g. the pipeline's
   * file, relative to the project root). Fills `impl.module` where a component did not set one.
   */
  module?: string;
}

export interface CompiledPipeline {
  spec: PipelineSpec;
  digest: string;
}

/** Function components (also those of nested pipelines) without a module get `module`. */
function fillModule(spec: PipelineSpec, module: string): void {
  for (const comp of Object.values(spec.components)) {
    if (comp.impl.kind === 'function' && comp.impl.module === undefined) comp.impl.module = module;
    if (comp.impl.kind === 'pipeline') fillModule(comp.impl.spec, module);
  }
}

/** Validates the pipeline and returns its IR; throws `PipelineValidationError` listing every problem. */
export function compile(pipeline: AnyPipeline, options: CompileOptions = {}): CompiledPipeline {
  const spec = structuredClone(pipeline.spec);
  if (options.module !== undefined) fillModule(spec, options.module);
  const result = validatePipeline(spec);
  if (!result.ok) throw new PipelineValidationError(result.issues);
  return { spec: result.spec, digest: pipelineDigest(result.spec) };
}
