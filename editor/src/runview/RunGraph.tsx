/** The run's pipeline DAG with live task states (read-only React Flow). */
import { Background, Controls, ReactFlow, type NodeMouseHandler } from '@xyflow/react';
import { useCallback, useMemo, useRef, type ReactElement } from 'react';
import type { PipelineSpec } from 'sluice/ir';
import { pipelineGraph } from '../graph/pipelineGraph';
import { useGraphLayout } from '../layout/useGraphLayout';
import { newRunFlowCache, runFlowEdges, runFlowNodes } from './runGraph';
import { OpenReadable } from '../canvas/OpenReadable';
import { runNodeTypes } from './RunNode';
import type { RunViewState } from './runState';

export function RunGraph(props: { spec: PipelineSpec; state: RunViewState; selected: string | undefined; now: number; onSelect: (taskId: string) => void }): ReactElement {
  const { spec, state, selected, now, onSelect } = props;
  const graph = useMemo(() => pipelineGraph(spec), [spec]);
  const { boxes, error: layoutError } = useGraphLayout(graph);
  // Node and edge objects stay the same while what they show does (runGraph.ts), so a clock tick
  // or a stream event re-renders only the nodes it changed.
  const cache = useRef(newRunFlowCache());
  const nodes = useMemo(() => (boxes ? runFlowNodes(graph, boxes, state, selected, now, cache.current) : []), [graph, boxes, state, selected, now]);
  const edges = useMemo(() => runFlowEdges(graph, state, cache.current), [graph, state]);
  const onNodeClick = useCallback<NodeMouseHandler>(
    (_e, node) => {
      if (node.type === 'runTask') onSelect(node.id);
    },
    [onSelect],
  );
  if (layoutError) return <p className="error-text" role="alert">Could not lay out the pipeline graph: {layoutError}</p>;
  if (!boxes) return <p className="muted" role="status">Laying out the graph…</p>;
  return (
    <ReactFlow
      nodes={nodes}
      edges={edges}
      nodeTypes={runNodeTypes}
      onNodeClick={onNodeClick}
      nodesDraggable={false}
      nodesConnectable={false}
      edgesFocusable={false}
      onlyRenderVisibleElements
      // Opens readable (OpenReadable: whole, or its start at a readable zoom); the control's fit
      // view shows the whole.
      fitViewOptions={{ padding: 0.15, maxZoom: 1.4 }}
      minZoom={0.1}
      proOptions={{ hideAttribution: true }}
    >
      <OpenReadable focus={selected} />
      <Background gap={16} />
      <Controls showInteractive={false} />
    </ReactFlow>
  );
}
