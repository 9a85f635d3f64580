/** Auto-layout ("Arrange", and pipelines without stored positions): elkjs positions into `ui`. */
import type { PipelineSpec } from 'sluice/ir';
import { moveNodes } from '../edit/nodeUi';
import { pipelineGraph } from '../graph/pipelineGraph';
import { layoutGraph } from '../layout/layoutGraph';

/** Where elk puts every node of `spec` (loop bodies relative to their loop). */
export async function arrangePositions(spec: PipelineSpec): Promise<Map<string, { x: number; y: number }>> {
  const boxes = await layoutGraph(pipelineGraph(spec));
  return new Map([...boxes].map(([id, b]) => [id, { x: b.x, y: b.y }]));
}

export async function arrangeSpec(spec: PipelineSpec): Promise<PipelineSpec> {
  return moveNodes(spec, await arrangePositions(spec));
}

/** True when some node has no stored position (then the editor lays the pipeline out). */
export function needsLayout(spec: PipelineSpec): boolean {
  return pipelineGraph(spec).nodes.some((n) => n.position === undefined);
}
