/**
 * A loop: a container holding its body's nodes (child nodes in React Flow), with an `items` input
 * and one output per collected body output. Collapsed (ui.collapsed) it is a small box that takes
 * over the edges of its hidden body.
 */
import { Handle, Position, type NodeProps } from '@xyflow/react';
import { memo, type ReactElement } from 'react';
import { LOOP_ITEMS_PORT } from '../edit/ports';
import { useCanvasActions } from './canvasActions';
import { HEADER_HEIGHT, PORT_ROW_HEIGHT } from './TaskNode';
import { COLLAPSED_IN, COLLAPSED_OUT, type LoopFlowNode } from './types';

function LoopNodeView({ id, data, selected }: NodeProps<LoopFlowNode>): ReactElement {
  const actions = useCanvasActions();
  const className = ['loop-node', selected ? 'is-selected' : '', data.collapsed ? 'is-collapsed' : '', data.state ? `state-${data.state}` : ''].filter(Boolean).join(' ');
  return (
    <div className={className} data-testid={`node-${id}`} aria-label={`loop ${data.label}`}>
      <div className="loop-node__header">
        {actions ? (
          <button
            type="button"
            className="icon-button nodrag"
            aria-expanded={!data.collapsed}
            aria-label={`${data.collapsed ? 'Expand' : 'Collapse'} loop ${data.label}`}
            onClick={() => actions.toggleLoop(id)}
          >
            {data.collapsed ? '▸' : '▾'}
          </button>
        ) : null}
        <span className="loop-node__label">⟳ {data.label}</span>
        <span className="loop-node__items" title="what the loop runs once per item of">
          over {data.items}
        </span>
        {data.conditional ? <span className="badge">if</span> : null}
        {data.issues ? <span className="badge badge-error">{data.issues}!</span> : null}
        {data.state ? <span className={`state-pill state-${data.state}`}>{data.state}</span> : null}
      </div>
      {data.collapsed ? <div className="loop-node__sub">{data.bodyCount} tasks inside</div> : null}
      {data.detail ? <div className="loop-node__sub">{data.detail}</div> : null}
      <Handle type="target" position={Position.Left} id={LOOP_ITEMS_PORT} style={{ top: HEADER_HEIGHT / 2 }} data-testid={`handle-${id}-in-items`} aria-label="loop items (a list)" />
      {data.outputs.map((p, i) => {
        const top = HEADER_HEIGHT + i * PORT_ROW_HEIGHT + PORT_ROW_HEIGHT / 2;
        return (
          <div key={p.name}>
            <div className="loop-node__out" style={{ top: top - PORT_ROW_HEIGHT / 2 }} title={`collected output ${p.name}: ${p.type}`}>
              {p.name}: {p.type}
            </div>
            <Handle type="source" position={Position.Right} id={p.name} className={`kind-${p.kind}`} style={{ top }} data-testid={`handle-${id}-out-${p.name}`} aria-label={`collected output ${p.name} (${p.type})`} />
          </div>
        );
      })}
      <Handle type="target" position={Position.Left} id={COLLAPSED_IN} isConnectable={false} className="handle-hidden" style={{ top: HEADER_HEIGHT }} />
      <Handle type="source" position={Position.Right} id={COLLAPSED_OUT} isConnectable={false} className="handle-hidden" style={{ top: HEADER_HEIGHT / 2 }} />
    </div>
  );
}

export const LoopNode = memo(LoopNodeView);
