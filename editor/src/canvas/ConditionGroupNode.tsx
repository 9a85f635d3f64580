/** A condition branch group (`ui.group`): a box behind its tasks; collapsed, a small box in their place. */
import { Handle, Position, type NodeProps } from '@xyflow/react';
import { memo, type ReactElement } from 'react';
import { useCanvasActions } from './canvasActions';
import { COLLAPSED_IN, COLLAPSED_OUT, type ConditionGroupFlowNode } from './types';

function ConditionGroupView({ data }: NodeProps<ConditionGroupFlowNode>): ReactElement {
  const actions = useCanvasActions();
  return (
    <div className={`condition-group${data.collapsed ? ' is-collapsed' : ''}`} data-testid={`group-${data.group}`}>
      <div className="condition-group__header">
        {actions ? (
          <button
            type="button"
            className="icon-button nodrag"
            aria-expanded={!data.collapsed}
            aria-label={`${data.collapsed ? 'Expand' : 'Collapse'} condition group ${data.group}`}
            onClick={() => actions.toggleGroup(data.scope, data.group)}
          >
            {data.collapsed ? '▸' : '▾'}
          </button>
        ) : null}
        <span>
          if: {data.group}
          {data.collapsed ? ` (${data.memberCount} tasks)` : ''}
        </span>
      </div>
      <Handle type="target" position={Position.Left} id={COLLAPSED_IN} isConnectable={false} className="handle-hidden" />
      <Handle type="source" position={Position.Right} id={COLLAPSED_OUT} isConnectable={false} className="handle-hidden" />
    </div>
  );
}

export const ConditionGroupNode = memo(ConditionGroupView);
