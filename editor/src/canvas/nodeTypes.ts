/** The canvas's node components, one stable object (React Flow warns when nodeTypes changes identity). */
import type { NodeTypes } from '@xyflow/react';
import { ConditionGroupNode } from './ConditionGroupNode';
import { LoopNode } from './LoopNode';
import { TaskNode } from './TaskNode';

export const nodeTypes: NodeTypes = { task: TaskNode, loop: LoopNode, conditionGroup: ConditionGroupNode };
