/** The IR: schemas, types, validation, digests and port type rules. Pure; safe in workflows and browsers. */
export * from './schema';
export * from './tuneSpace';
export { canonicalJson, pipelineDigest, sha256Hex, stripUi } from './digest';
export { mulberry32 } from './random';
export { incompatibility, isAssignable, parseParamText, parseParamType, valueMismatch } from './portTypes';
export type { ParsedParamType } from './portTypes';
export { exclusiveConditions, formatIssue, isRequired, taskDependencies, validatePipeline } from './validate';
export type { IssueCode, ValidateOptions, ValidationIssue, ValidationResult } from './validate';
export { jsonDepthProblem, MAX_JSON_DEPTH, parseIrJson, parseJsonText } from './parseIrJson';
export type { JsonTextProblem, JsonTextProblemCode, ParsedJsonText } from './parseIrJson';
export { findUnstorableText, jsonPointer, textProblemOf } from './storableText';
export type { TextProblem, TextProblemCode } from './storableText';
export { MAX_NODES_PER_SCOPE, runLimitIssues } from './limits';
export { comparisonProblem, evaluateExpr } from './expr';
export { deepBindings, exprOperands, indexNodes, indexPipeline, isLoopNode, isTaskNode, nodeDependencies, ownBindings, referencedNodes, scopeNodes } from './graph';
export type { NodeInfo, PipelineIndex } from './graph';
export { diffPipelines, pipelineDiffSchema } from './diff';
export type { PipelineDiff, PipelineDiffEdge, PipelineDiffNode, PipelineDiffTask, PipelineDiffValue } from './diff';
