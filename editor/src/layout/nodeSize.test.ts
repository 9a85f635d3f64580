import { describe, expect, it } from 'vitest';
import type { PipelineSpec } from 'sluice/ir';
import { pipelineGraph } from '../graph/pipelineGraph';
import iris from '../edit/testdata/iris.json';
import { graphNodeSize, labelWidth, MAX_NODE_WIDTH, NODE_PAD, SIDE_GAP, taskNodeSize, type PortLabel } from './nodeSize';

/** Every port label fits its room, and an input and the output on its row never overlap. */
function expectReadable(inputs: PortLabel[], outputs: PortLabel[]): void {
  const size = taskNodeSize(inputs, outputs);
  for (const p of inputs) expect(labelWidth(p), `input ${p.name}`).toBeLessThanOrEqual(size.inputWidth);
  for (const p of outputs) expect(labelWidth(p), `output ${p.name}`).toBeLessThanOrEqual(size.outputWidth);
  if (!size.stacked && outputs.length > 0) expect(NODE_PAD + size.inputWidth + SIDE_GAP + size.outputWidth + NODE_PAD).toBeLessThanOrEqual(size.width);
  if (size.stacked) expect(size.outputRow).toBe(inputs.length);
}

describe('task node sizes from their port labels (issue 12: labels never overlap)', () => {
  it('gives every node of the iris pipeline room for its labels on both sides', () => {
    const graph = pipelineGraph(iris as unknown as PipelineSpec);
    const train = graph.nodes.find((n) => n.id === 'train-classifier' || n.component === 'train-classifier');
    expect(train).toBeDefined();
    for (const node of graph.nodes.filter((n) => n.kind === 'task')) {
      expectReadable(
        node.inputs.map((p) => ({ name: p.name, text: p.spec.type })),
        node.outputs.map((p) => ({ name: p.name, text: p.spec.type })),
      );
      expect(graphNodeSize(node).width).toBeLessThanOrEqual(MAX_NODE_WIDTH);
    }
  });

  it('widens a node whose input and output labels would meet in the middle at the old fixed width', () => {
    const inputs = [{ name: 'trainingDataset', text: '← standardizedTrain' }];
    const outputs = [{ name: 'classificationModel', text: 'Model' }];
    const size = taskNodeSize(inputs, outputs);
    expect(size.width).toBeGreaterThan(220);
    expectReadable(inputs, outputs);
  });

  it('puts the outputs below the inputs when both sides do not fit side by side', () => {
    const long = 'x'.repeat(40);
    const inputs = [{ name: long, text: 'Dataset' }, { name: 'b', text: 'int' }];
    const outputs = [{ name: long, text: 'Model' }];
    const size = taskNodeSize(inputs, outputs);
    expect(size.stacked).toBe(true);
    expect(size.height).toBe(34 + 3 * 20 + 8);
    expectReadable(inputs, outputs);
  });

  it('grows with the number of ports', () => {
    const ports = (n: number): PortLabel[] => Array.from({ length: n }, (_, i) => ({ name: `p${i}`, text: 'int' }));
    expect(taskNodeSize(ports(5), ports(1)).height).toBeGreaterThan(taskNodeSize(ports(1), ports(1)).height);
  });
});
