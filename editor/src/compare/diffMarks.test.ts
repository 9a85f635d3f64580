import { describe, expect, it } from 'vitest';
import { diffPipelines, type PipelineSpec } from 'sluice/ir';
import { pipelineGraph } from '../graph/pipelineGraph';
import iris from '../edit/testdata/iris.json';
import { diffLines, diffMarks, graphEdgeKey } from './diffMarks';

const v1 = iris as unknown as PipelineSpec;

/** v2: evaluate-classifier gone, a second evaluation reading the model added, train-classifier's epochs fixed at 3. */
function v2(): PipelineSpec {
  const spec = structuredClone(v1);
  const tasks = spec.dag.tasks as Record<string, unknown>;
  tasks['evaluate-again'] = tasks['evaluate-classifier'];
  delete tasks['evaluate-classifier'];
  const train = tasks['train-classifier'] as { inputs: Record<string, unknown> };
  train.inputs.epochs = { const: 3 };
  return spec;
}

describe('diff marks on the canvas', () => {
  const diff = diffPipelines(v1, v2());
  const marks = diffMarks(diff);

  it('marks the removed task on the older graph, the added one on the newer, the changed one on both', () => {
    expect(marks.fromNodes.get('evaluate-classifier')).toBe('removed');
    expect(marks.toNodes.get('evaluate-again')).toBe('added');
    expect(marks.fromNodes.get('train-classifier')).toBe('changed');
    expect(marks.toNodes.get('train-classifier')).toBe('changed');
    expect(marks.toNodes.has('split')).toBe(false);
  });

  it("keys the diff's wires as the drawn graph's edges, so a rewired edge is found on the canvas", () => {
    // Wires of added and removed tasks come with them; a wire into a kept task is an edge change.
    const from = pipelineGraph(v1).edges.map(graphEdgeKey);
    const to = pipelineGraph(v2()).edges.map(graphEdgeKey);
    for (const k of marks.fromEdges) expect(from).toContain(k);
    for (const k of marks.toEdges) expect(to).toContain(k);
    expect(from).toContain('split.train->train-classifier.train');
  });

  it('lists the changed parameter with its old and new value', () => {
    const lines = diffLines(diff);
    expect(lines).toContainEqual({ mark: 'changed', subject: 'task train-classifier', detail: 'input epochs: {"pipelineInput":"epochs"} → {"const":3}' });
    expect(lines).toContainEqual(expect.objectContaining({ mark: 'added', subject: 'task evaluate-again' }));
    expect(lines).toContainEqual(expect.objectContaining({ mark: 'removed', subject: 'task evaluate-classifier' }));
  });
});
