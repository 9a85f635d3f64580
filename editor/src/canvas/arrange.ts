/** Auto-layout ("Arrange", and pipelines without stored positions): elkjs positions into `ui`. */
import type { PipelineSpec } from 'sluice/dsl';
import { moveNodes } from '../edit/nodeUi';
import { pipelineGraph } from '../graph/pipelineGraph';
import { layoutGraph } from '../layout/layoutGraph';

export async function arrangeSpec(spec: PipelineSpec): Promise<PipelineSpec> {
  const boxes = await layoutGraph(pipelineGraph(spec));
  return moveNodes(spec, new Map([...boxes].map(([id, b]) => [id, { x: b.x, y: b.y }])));
}

/** True when some node has no stored position (then the editor lays the pipeline out). */
export function needsLayout(spec: PipelineSpec): boolean {
  return pipelineGraph(spec).nodes.some((n) => n.position === undefined);
}
