/**
 * The node boxes of a read-only graph (the run view, the version diff), laid out by ELK off the
 * render: null until the layout is done, then the last finished layout (a new graph keeps the old
 * boxes on screen until its own are ready); or the layout's error. A layout that finishes after its
 * graph changed or the view closed is dropped.
 */
import { useEffect, useState } from 'react';
import type { PipelineGraph } from '../graph/pipelineGraph';
import { layoutGraph, type NodeBox } from './layoutGraph';

export interface GraphLayout {
  boxes: Map<string, NodeBox> | null;
  error: string | null;
}

export function useGraphLayout(graph: PipelineGraph): GraphLayout {
  const [boxes, setBoxes] = useState<Map<string, NodeBox> | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    layoutGraph(graph)
      .then((b) => live && setBoxes(b))
      .catch((e: unknown) => live && setError(e instanceof Error ? e.message : String(e)));
    return () => {
      live = false;
    };
  }, [graph]);
  return { boxes, error };
}
