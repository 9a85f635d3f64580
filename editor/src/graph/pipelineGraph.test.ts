import { describe, expect, it } from 'vitest';
import { compile } from 'sluice/dsl';
import sweep from '../../../examples/hyperparameter-sweep';
import iris from '../../../examples/iris';
import { layoutGraph } from '../layout/layoutGraph';
import { pipelineGraph } from './pipelineGraph';

describe('pipelineGraph', () => {
  it('draws one node per task and one edge per data binding, with typed ports', () => {
    const { spec } = compile(iris);
    const graph = pipelineGraph(spec);
    expect(graph.nodes.map((n) => n.id).sort()).toEqual(Object.keys(spec.dag.tasks).sort());
    for (const edge of graph.edges.filter((e) => e.kind === 'data')) {
      const source = graph.nodes.find((n) => n.id === edge.source);
      const target = graph.nodes.find((n) => n.id === edge.target);
      expect(source?.outputs.some((p) => p.name === edge.sourcePort)).toBe(true);
      expect(target?.inputs.some((p) => p.name === edge.targetPort)).toBe(true);
    }
    expect(graph.edges.some((e) => e.kind === 'data')).toBe(true);
  });

  it('nests loop bodies inside their loop and draws collect edges out of it', () => {
    const { spec } = compile(sweep);
    const graph = pipelineGraph(spec);
    const loops = graph.nodes.filter((n) => n.kind === 'loop');
    expect(loops.length).toBeGreaterThan(0);
    const loopIds = new Set(loops.map((l) => l.id));
    expect(graph.nodes.some((n) => n.parent !== undefined && loopIds.has(n.parent))).toBe(true);
    expect(graph.edges.some((e) => e.kind === 'collect' && loopIds.has(e.source))).toBe(true);
  });

  it('lays out every node, children inside their loop, left to right along edges', async () => {
    const { spec } = compile(sweep);
    const graph = pipelineGraph(spec);
    const boxes = await layoutGraph(graph);
    for (const node of graph.nodes) expect(boxes.get(node.id)).toBeDefined();
    for (const edge of graph.edges.filter((e) => e.kind === 'data')) {
      const s = graph.nodes.find((n) => n.id === edge.source);
      const t = graph.nodes.find((n) => n.id === edge.target);
      if (s?.parent !== t?.parent) continue;
      expect(boxes.get(edge.source)?.x ?? 0).toBeLessThan(boxes.get(edge.target)?.x ?? 0);
    }
  });
});
