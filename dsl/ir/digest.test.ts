import { describe, expect, it } from 'vitest';
import { pipelineDigest } from './digest';
import type { PipelineSpec } from './schema';

const digestOf = (spec: unknown): string => pipelineDigest(spec as PipelineSpec);

const step = { name: 'step', version: '1', inputs: {}, outputs: { y: { kind: 'parameter', type: 'int' } }, impl: { kind: 'function', digest: 'a'.repeat(64) } };
const withLoop = (ui: Record<string, unknown> | undefined): unknown => ({
  apiVersion: 'sluice/v1',
  name: 'p',
  inputs: {},
  outputs: {},
  components: { step },
  dag: {
    tasks: {
      each: {
        loop: { items: { const: [1, 2] }, tasks: { body: { component: 'step', inputs: {}, ...(ui ? { ui } : {}) } }, outputs: { y: { task: 'body', output: 'y' } } },
        ...(ui ? { ui } : {}),
      },
    },
  },
});

describe('pipelineDigest', () => {
  it('ignores editor positions at every depth: loop bodies and nested pipelines too', () => {
    expect(digestOf(withLoop({ x: 10, y: 20, collapsed: true }))).toBe(digestOf(withLoop(undefined)));
    const nested = (ui: Record<string, unknown> | undefined): unknown => ({
      apiVersion: 'sluice/v1',
      name: 'outer',
      inputs: {},
      outputs: {},
      components: { sub: { name: 'sub', version: '1', inputs: {}, outputs: {}, impl: { kind: 'pipeline', spec: withLoop(ui), digest: 'b'.repeat(64) } } },
      dag: { tasks: { s: { component: 'sub', inputs: {} } } },
    });
    expect(digestOf(nested({ x: 1, y: 2 }))).toBe(digestOf(nested(undefined)));
  });

  it('changes when anything but ui changes', () => {
    const a = withLoop(undefined) as { dag: { tasks: { each: { loop: { items: { const: number[] } } } } } };
    const before = digestOf(a);
    a.dag.tasks.each.loop.items.const = [1, 2, 3];
    expect(digestOf(a)).not.toBe(before);
  });
});
