/**
 * Read-only task node of the run graph (the editor's canvas node is for editing; this one shows a
 * task's live state, duration, attempts and error at a glance). Memoised: an SSE event re-renders
 * only the nodes whose data changed.
 *
 * Hooks for end-to-end tests: `data-testid="run-node-<taskId>"` with `data-state="<DisplayState>"`.
 */
import { Handle, Position, type Node, type NodeProps } from '@xyflow/react';
import { memo, type ReactElement } from 'react';
import { STATE_LABEL, type DisplayState } from './runState';

export type RunNodeData = {
  taskId: string;
  label: string;
  component?: string;
  state: DisplayState;
  /** "1.2 s · attempt 2", "cached", "3/10 items". */
  detail: string;
  error?: string;
  selected: boolean;
};
export type RunFlowNode = Node<RunNodeData, 'runTask'>;

export type RunLoopData = { label: string; state: DisplayState; detail: string };
export type RunLoopNode = Node<RunLoopData, 'runLoop'>;

/** A glyph beside the word, so state never depends on colour alone. */
export const STATE_ICON: Record<DisplayState, string> = {
  queued: '○',
  running: '◔',
  succeeded: '✓',
  failed: '✕',
  cached: '↺',
  skipped: '⤼',
  cancelled: '⊘',
  'waiting-approval': '⏸',
  'waiting-gpu': '⏳',
  'waiting-worker': '⏳',
  'not-run': '–',
};

export function StateBadge({ state }: { state: DisplayState }): ReactElement {
  return (
    <span className={`state-badge state-${state}`}>
      <span aria-hidden="true">{STATE_ICON[state]}</span> {STATE_LABEL[state]}
    </span>
  );
}

function RunTaskNodeView({ data }: NodeProps<RunFlowNode>): ReactElement {
  return (
    <div
      className={`run-node state-${data.state}${data.selected ? ' is-selected' : ''}`}
      data-testid={`run-node-${data.taskId}`}
      data-state={data.state}
      aria-label={`${data.label}: ${STATE_LABEL[data.state]}${data.detail ? `, ${data.detail}` : ''}`}
    >
      <Handle type="target" position={Position.Left} isConnectable={false} />
      <div className="run-node-title">{data.label}</div>
      {data.component && data.component !== data.label && <div className="run-node-component">{data.component}</div>}
      <div className="run-node-status">
        <StateBadge state={data.state} />
        {data.detail && <span className="run-node-detail">{data.detail}</span>}
      </div>
      {data.error && (
        <div className="run-node-error" title={data.error}>
          {data.error}
        </div>
      )}
      <Handle type="source" position={Position.Right} isConnectable={false} />
    </div>
  );
}

function RunLoopNodeView({ data }: NodeProps<RunLoopNode>): ReactElement {
  return (
    <div className={`run-loop state-${data.state}`} aria-label={`loop ${data.label}: ${STATE_LABEL[data.state]}`}>
      <Handle type="target" position={Position.Left} isConnectable={false} />
      <div className="run-loop-title">
        ⟳ {data.label} <StateBadge state={data.state} /> {data.detail}
      </div>
      <Handle type="source" position={Position.Right} isConnectable={false} />
    </div>
  );
}

export const RunTaskNode = memo(RunTaskNodeView);
export const RunLoopNodeComponent = memo(RunLoopNodeView);
export const runNodeTypes = { runTask: RunTaskNode, runLoop: RunLoopNodeComponent };
