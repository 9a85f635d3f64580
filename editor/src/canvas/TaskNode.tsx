/**
 * A task on the canvas: label, component, typed input ports (left) and output ports (right), each
 * with a handle. Memoised and fed plain data, so a 500-node pipeline re-renders only what changed;
 * zoomed out it draws a labelled box with the same size and handles (edges stay attached).
 * The run view passes `data.state` / `data.detail` to colour it and say how the task is doing.
 *
 * Test hooks: the node root is `data-testid="node-<taskId>"`; handles are
 * `data-testid="handle-<taskId>-<in|out>-<port>"` (plus React Flow's own handle classes).
 */
import { Handle, Position, type NodeProps } from '@xyflow/react';
import { memo, useMemo, type ReactElement } from 'react';
import { HEADER_HEIGHT, PORT_ROW_HEIGHT, taskNodeSize } from '../layout/nodeSize';
import { COLLAPSED_IN, COLLAPSED_OUT, type PortView, type TaskFlowNode } from './types';
import { useZoomedOut } from './zoom';

export { HEADER_HEIGHT, PORT_ROW_HEIGHT } from '../layout/nodeSize';

const rowTop = (i: number): number => HEADER_HEIGHT + i * PORT_ROW_HEIGHT + PORT_ROW_HEIGHT / 2;

function portTitle(port: PortView, side: 'input' | 'output'): string {
  const parts = [`${side} ${port.name}: ${port.type} (${port.kind})`];
  if (port.binding) parts.push(`reads ${port.binding.replace(/^← /, 'pipeline input ')}`);
  if (port.missing) parts.push('required: connect it or give it a value');
  if (port.description) parts.push(port.description);
  return parts.join('\n');
}

function TaskNodeView({ id, data, selected }: NodeProps<TaskFlowNode>): ReactElement {
  const simple = useZoomedOut();
  // Sized from its port labels (layout/nodeSize.ts, as elk placed it): labels never overlap.
  const size = useMemo(
    () => taskNodeSize(data.inputs.map((p) => ({ name: p.name, text: p.binding ?? p.type })), data.outputs.map((p) => ({ name: p.name, text: p.type })), data.label),
    [data.inputs, data.outputs, data.label],
  );
  const { width, height, outputRow } = size;
  const className = ['task-node', data.study !== undefined ? 'is-study' : '', selected ? 'is-selected' : '', data.state ? `state-${data.state}` : '', data.conditional ? 'is-conditional' : '', simple ? 'is-simple' : '']
    .filter(Boolean)
    .join(' ');
  return (
    <div className={className} style={{ width, height }} data-testid={`node-${id}`} data-stacked={size.stacked || undefined} aria-label={`task ${data.label}`}>
      <div className="task-node__header">
        <span className="task-node__title">
          <span className="task-node__label" title={data.label}>
            {data.label}
          </span>
          {!simple && (data.component !== undefined || data.detail !== undefined) ? (
            <span className="task-node__sub" title={data.detail ?? data.component}>
              {data.detail ?? data.component}
            </span>
          ) : null}
        </span>
        {data.conditional && !simple ? (
          <span className="badge" title="runs only when its condition holds">
            if
          </span>
        ) : null}
        {data.study !== undefined ? (
          <span className="badge badge-study" title={`tuning study: ${data.study.summary}`} data-testid={`study-badge-${id}`}>
            {simple ? 'study' : data.study.badge}
          </span>
        ) : null}
        {data.exitHandler && !simple ? (
          <span className="badge" title="exit handler: runs last, whatever happens">
            exit
          </span>
        ) : null}
        {data.issues ? (
          <span className="badge badge-error" title={`${data.issues} problem${data.issues === 1 ? '' : 's'}: see Problems`}>
            {data.issues}!
          </span>
        ) : null}
        {data.state ? <span className={`state-pill state-${data.state}`}>{data.state}</span> : null}
      </div>
      {simple
        ? null
        : data.inputs.map((p, i) => (
            <div key={`i-${p.name}`} className={`port port-in${p.missing ? ' is-missing' : ''}`} style={{ top: rowTop(i) - PORT_ROW_HEIGHT / 2, maxWidth: size.inputWidth }} title={portTitle(p, 'input')}>
              <span className="port__name">{p.name}</span>
              <span className={`port__type kind-${p.kind}`}>{p.binding ?? p.type}</span>
            </div>
          ))}
      {simple
        ? null
        : data.outputs.map((p, i) => (
            <div key={`o-${p.name}`} className="port port-out" style={{ top: rowTop(outputRow + i) - PORT_ROW_HEIGHT / 2, maxWidth: size.outputWidth }} title={portTitle(p, 'output')}>
              <span className={`port__type kind-${p.kind}`}>{p.type}</span>
              <span className="port__name">{p.name}</span>
            </div>
          ))}
      {data.inputs.map((p, i) => (
        <Handle
          key={`hi-${p.name}`}
          type="target"
          position={Position.Left}
          id={p.name}
          className={`kind-${p.kind}`}
          style={{ top: rowTop(i) }}
          data-testid={`handle-${id}-in-${p.name}`}
          aria-label={`input ${p.name} (${p.type})`}
        />
      ))}
      {data.outputs.map((p, i) => (
        <Handle
          key={`ho-${p.name}`}
          type="source"
          position={Position.Right}
          id={p.name}
          className={`kind-${p.kind}`}
          style={{ top: rowTop(outputRow + i) }}
          data-testid={`handle-${id}-out-${p.name}`}
          aria-label={`output ${p.name} (${p.type})`}
        />
      ))}
      <Handle type="target" position={Position.Left} id={COLLAPSED_IN} isConnectable={false} className="handle-hidden" style={{ top: HEADER_HEIGHT / 2 }} />
      <Handle type="source" position={Position.Right} id={COLLAPSED_OUT} isConnectable={false} className="handle-hidden" style={{ top: HEADER_HEIGHT / 2 }} />
    </div>
  );
}

export const TaskNode = memo(TaskNodeView);
