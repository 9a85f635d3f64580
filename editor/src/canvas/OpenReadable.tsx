/**
 * Placed inside a <ReactFlow>: once its nodes are measured, sets the viewport where the graph reads
 * well (layout/viewport.ts) — the whole graph when it fits at a readable zoom, else its start at a
 * readable zoom — once. Replaces React Flow's `fitView`, whose minZoom centres a long graph.
 */
import { useNodesInitialized, useReactFlow, useStore } from '@xyflow/react';
import { useEffect, useRef } from 'react';
import { initialViewport, READABLE_VIEW, type ViewportOptions } from '../layout/viewport';

export function OpenReadable({ options = READABLE_VIEW }: { options?: ViewportOptions }): null {
  const initialized = useNodesInitialized();
  const rf = useReactFlow();
  const width = useStore((s) => s.width);
  const height = useStore((s) => s.height);
  // An empty canvas (a new pipeline) keeps its viewport: a dropped node must not make it jump.
  const done = useRef(rf.getNodes().length === 0);
  useEffect(() => {
    if (done.current || !initialized || width === 0 || height === 0) return;
    const nodes = rf.getNodes().filter((n) => !n.hidden);
    if (nodes.length === 0) return;
    done.current = true;
    void rf.setViewport(initialViewport(rf.getNodesBounds(nodes), { width, height }, options));
  }, [initialized, width, height, rf, options]);
  return null;
}
