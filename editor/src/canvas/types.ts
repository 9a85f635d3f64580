/**
 * React Flow node and edge types of the canvas, shared by the editor and the run view. Data types
 * are `type` aliases (React Flow wants Record-compatible data). Run state is optional: the editor
 * leaves it out, the run view sets it.
 */
import type { Edge, Node } from '@xyflow/react';
import type { EdgeRef } from '../edit/bindings';

export type RunState = 'queued' | 'running' | 'succeeded' | 'failed' | 'cached' | 'skipped' | 'waiting';

export type PortView = {
  name: string;
  kind: 'parameter' | 'artifact';
  /** Type as shown: "Dataset", "list<int>", "Model[]". */
  type: string;
  description?: string;
  /** An input that must be bound before the pipeline is valid and is not. */
  missing?: boolean;
  /** What an input reads when no edge shows it: "= 0.2", "← epochs", "item.lr". */
  binding?: string;
};

export type TaskNodeData = {
  label: string;
  /** Component reference, shown under the label when it differs from it. */
  component?: string;
  inputs: PortView[];
  outputs: PortView[];
  conditional: boolean;
  exitHandler: boolean;
  /** A tuning study (`tune` block): a short badge ("tpe ×40") and its algorithm and budgets in words. */
  study?: { badge: string; summary: string };
  /** Validation problems naming this task (editor). */
  issues?: number;
  /** Run view: the task's state and a short line (duration, error, "cached from …"). */
  state?: RunState;
  detail?: string;
};
export type TaskFlowNode = Node<TaskNodeData, 'task'>;

export type LoopNodeData = {
  label: string;
  /** What the loop iterates over, in words. */
  items: string;
  outputs: PortView[];
  conditional: boolean;
  collapsed: boolean;
  /** Body size, for the collapsed label. */
  bodyCount: number;
  issues?: number;
  state?: RunState;
  detail?: string;
};
export type LoopFlowNode = Node<LoopNodeData, 'loop'>;

export type ConditionGroupData = {
  /** Group name (`ui.group`). */
  group: string;
  /** The enclosing loop, or undefined at the top level. */
  scope?: string;
  collapsed: boolean;
  memberCount: number;
};
export type ConditionGroupFlowNode = Node<ConditionGroupData, 'conditionGroup'>;

export type FlowNode = TaskFlowNode | LoopFlowNode | ConditionGroupFlowNode;

export type FlowEdgeData = { ref: EdgeRef };
export type FlowEdge = Edge<FlowEdgeData>;

/** Handle ids of the hidden handles that edges of collapsed containers attach to. */
export const COLLAPSED_IN = '__collapsed-in';
export const COLLAPSED_OUT = '__collapsed-out';
