/**
 * `sluice/dsl`: author typed pipeline components and pipelines, compile them to IR, validate IR.
 * Runs in Node and in the browser (no Node-only imports anywhere under dsl/).
 */
export { component, isComponent } from './component';
export type { AnyComponent, ComponentDefinition, ComponentOptions, ExecutionOptionsInput, RetryOptions, TimeoutOptions } from './component';
export { pipeline, isPipeline } from './pipeline';
export type { AnyPipeline, PipelineBuilder, PipelineDefinition, PipelineOptions, TaskHandle, TaskOptions } from './pipeline';
export { t } from './ports';
export type { ArtifactPort, ArtifactRef, InputValue, Json, ParamPort, ParamRef, PortMap, TaskInputs } from './ports';
export type { ComponentContext, InputArtifact, OutputArtifact, RunFunction, RunInputs } from './runtime';
export { compile } from './compile';
export type { CompiledPipeline, CompileOptions } from './compile';
export { toMs } from './duration';
export type { Duration } from './duration';
export { DslError, NonRetryableError, PipelineValidationError, SluiceError } from './errors';
export * from './ir/index';
