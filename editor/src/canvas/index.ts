/** Canvas pieces shared by the editor and the run view. */
export { arrangeSpec, needsLayout } from './arrange';
export { CanvasActionsContext, useCanvasActions, type CanvasActions } from './canvasActions';
export { ConditionGroupNode } from './ConditionGroupNode';
export { bindingText, buildFlow, type BuiltFlow, type FlowCache, type FlowOptions } from './flow';
export { LoopNode } from './LoopNode';
export { nodeTypes } from './nodeTypes';
export { TaskNode } from './TaskNode';
export * from './types';
export { SIMPLE_ZOOM, useZoomedOut } from './zoom';
