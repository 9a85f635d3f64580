/**
 * `sluice/dsl`: the authoring surface — components, pipelines, ports, conditions, and the types a
 * component's `run()` sees. The IR (schemas, validator, digest, graph helpers) is `sluice/ir`;
 * TypeScript generation from IR is `sluice/codegen`. Runs in Node and in the browser (no Node-only
 * imports anywhere under dsl/).
 */
export { component, isComponent } from './component';
export type { AnyComponent, CacheOptions, ComponentBase, ComponentDefinition, ComponentOptions, ExecutionOptionsInput, RetryOptions, TimeoutOptions } from './component';
export { command, type CommandOptions } from './command';
export { collect, ifRan, isNestedPipelineComponent, isPipeline, oneOf, pipeline } from './pipeline';
export { tune } from './tune';
export type { BestParams, CheckSpace, ConditionOption, SpaceKind, SpaceParam, StudySettings } from './tune';
export type {
  AnyPipeline,
  ConditionChain,
  ItemRef,
  LoopHandle,
  LoopOptions,
  LoopOutput,
  NestedPipelineComponent,
  NodeUi,
  NodeHandle,
  PipelineBuilder,
  PipelineDefinition,
  PipelineOptions,
  PipelineOutputRef,
  Merged,
  BranchValue,
  WhenCondition,
  TaskHandle,
  StudyHandle,
  TaskOptions,
} from './pipeline';
export { and, eq, ge, gt, le, lt, ne, not, or } from './conditions';
export type { Condition } from './conditions';
export { approval, APPROVAL_COMPONENT_NAME } from './approval';
export { t } from './ports';
export type { ArtifactListRef, ArtifactPort, ArtifactRef, InputValue, Json, MaybeAbsent, ParamPort, ParamRef, PortMap, Presence, TaskInputs } from './ports';
export type { ComponentContext, InputArtifact, MetricStep, ModelRegistryAccess, OutputArtifact, RunFunction, RunInputs, TaskDevice } from './runtime';
export { compile } from './compile';
export type { CompiledPipeline, CompileOptions } from './compile';
export { toMs } from './duration';
export type { Duration } from './duration';
export { DslError, NonRetryableError, PipelineValidationError, SluiceError } from './errors';
