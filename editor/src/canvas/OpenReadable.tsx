/**
 * Placed inside a <ReactFlow>: once its nodes are measured, sets the viewport where the graph reads
 * well (layout/viewport.ts) — the whole graph when it fits at a readable zoom, else its start at a
 * readable zoom — once. Replaces React Flow's `fitView`, whose minZoom centres a long graph.
 * With `focus`, that node is brought into view too, at first and whenever `focus` changes (a task
 * selected by link or from a list must be seen, and with `onlyRenderVisibleElements` a node off
 * screen is not in the page at all).
 */
import { useNodesInitialized, useReactFlow, useStore } from '@xyflow/react';
import { useEffect, useRef } from 'react';
import { initialViewport, READABLE_VIEW, showBox, type ViewportOptions } from '../layout/viewport';

export function OpenReadable({ options = READABLE_VIEW, focus }: { options?: ViewportOptions; focus?: string | undefined }): null {
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
    const opened = initialViewport(rf.getNodesBounds(nodes), { width, height }, options);
    const target = focus !== undefined ? rf.getNode(focus) : undefined;
    void rf.setViewport((target && showBox(opened, { width, height }, rf.getNodesBounds([target]), options.padding)) || opened);
    // Only the first opening: `focus` is read here, not watched (the effect below follows it).
  }, [initialized, width, height, rf, options]);
  useEffect(() => {
    if (!done.current || focus === undefined || !initialized || width === 0 || height === 0) return;
    const target = rf.getNode(focus);
    if (!target) return;
    const moved = showBox(rf.getViewport(), { width, height }, rf.getNodesBounds([target]), options.padding);
    if (moved) void rf.setViewport(moved, { duration: 200 });
  }, [focus, initialized, width, height, rf, options]);
  return null;
}
