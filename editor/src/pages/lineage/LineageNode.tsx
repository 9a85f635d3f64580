/**
 * A node of the lineage graph: an artifact (type + name), an execution (task name, component, run)
 * or a collapsed run. "+N" buttons on its sides load the next hop upstream / downstream when the
 * store holds more than the graph shows. Zoomed far out, nodes draw only their name and kind.
 */
import { Handle, Position, useStore, type Node, type NodeProps } from '@xyflow/react';
import { memo, type ReactElement } from 'react';
import type { Direction, ViewNode } from '../../lineage/graph';

export type LineageNodeData = {
  view: ViewNode;
  match: boolean;
  dimmed: boolean;
  selected: boolean;
  loading: boolean;
  onExpand: (id: string, direction: Direction) => void;
};
export type LineageFlowNode = Node<LineageNodeData, 'lineage'>;

/** Below this zoom a node shows only its name: details are unreadable anyway, and cheaper to draw. */
export const SIMPLE_ZOOM = 0.45;

const KIND_ICON: Record<ViewNode['kind'], string> = { artifact: '▣', execution: '⚙', run: '▤' };

function LineageNodeView({ data }: NodeProps<LineageFlowNode>): ReactElement {
  const simple = useStore((s) => s.transform[2] < SIMPLE_ZOOM);
  const v = data.view;
  const testKind = v.kind === 'run' ? 'run' : v.kind;
  const classes = ['lineage-node', `kind-${v.kind}`, v.isRoot ? 'is-root' : '', data.match ? 'is-match' : '', data.dimmed ? 'is-dimmed' : '', data.selected ? 'is-selected' : '', simple ? 'is-simple' : '']
    .filter(Boolean)
    .join(' ');
  const expand = (direction: Direction, count: number): ReactElement => (
    <button
      type="button"
      className={`expand expand-${direction} nodrag nopan`}
      aria-label={`Load ${count} more ${direction} of ${v.name}`}
      title={`Load ${count} more ${direction}`}
      disabled={data.loading}
      onClick={(e) => {
        e.stopPropagation();
        data.onExpand(v.refId, direction);
      }}
    >
      +{count}
    </button>
  );
  return (
    <div className={classes} data-testid={`lineage-node-${testKind}-${v.refId}`} data-name={v.name} data-kind={v.kind} title={`${v.name}\n${v.subtitle}`}>
      <Handle type="target" position={Position.Left} isConnectable={false} />
      {v.hidden.upstream > 0 && !simple && expand('upstream', v.hidden.upstream)}
      <div className="lineage-node-body">
        <div className="lineage-node-name">
          <span aria-hidden="true" className="kind-icon">
            {KIND_ICON[v.kind]}
          </span>{' '}
          {v.name}
        </div>
        {!simple && (
          <div className="lineage-node-sub">
            {v.kind === 'run' ? `${v.members ?? 0} nodes · ${v.tag}` : v.subtitle}
            {v.kind === 'execution' && v.tag && v.tag !== 'succeeded' ? ` · ${v.tag}` : ''}
          </div>
        )}
        {!simple && v.reused && (
          <div className="lineage-node-reused" data-testid="lineage-node-reused">
            ↻ {v.reused}
          </div>
        )}
      </div>
      {v.hidden.downstream > 0 && !simple && expand('downstream', v.hidden.downstream)}
      <Handle type="source" position={Position.Right} isConnectable={false} />
    </div>
  );
}

export const LineageNodeComponent = memo(LineageNodeView);
export const lineageNodeTypes = { lineage: LineageNodeComponent };
