import { describe, expect, it } from 'vitest';
import { compile, component, pipeline, t } from '../index';
import { diffPipelines, pipelineDiffSchema } from './diff';
import type { PipelineSpec } from './schema';

const load = component({ name: 'load', inputs: { n: t.int() }, outputs: { data: t.Dataset() }, run: async () => {} });
const clean = component({ name: 'clean', inputs: { raw: t.Dataset() }, outputs: { data: t.Dataset() }, run: async () => {} });
const train = component({ name: 'train', inputs: { data: t.Dataset(), epochs: t.int() }, outputs: { model: t.Model() }, run: async () => {} });
const trainV2 = component({ name: 'train', version: '2', inputs: { data: t.Dataset(), epochs: t.int() }, outputs: { model: t.Model() }, run: async () => {
  void 'v2'; // another implementation: another digest
} });
const step = component({ name: 'step', inputs: { x: t.float() }, outputs: { y: t.float() }, run: ({ x }) => ({ y: x }) });
const report = component({ name: 'report', inputs: { model: t.Model() }, outputs: { page: t.Markdown() }, run: async () => {} });

const v1 = compile(
  pipeline({ name: 'fit', inputs: { n: t.int({ default: 10 }), epochs: t.int({ default: 5 }) } }, (p) => {
    const data = p.task(load, { n: p.inputs.n }, { id: 'load' });
    const model = p.task(train, { data: data.outputs.data, epochs: p.inputs.epochs }, { id: 'train' });
    p.task(report, { model: model.outputs.model }, { id: 'report' });
    return { model: model.outputs.model };
  }),
).spec;

const clone = (s: PipelineSpec): PipelineSpec => structuredClone(s);

describe('diffPipelines', () => {
  it('finds nothing between a version and itself, nor when only editor positions moved', () => {
    const moved = clone(v1);
    const task = moved.dag.tasks.train;
    if (task) task.ui = { x: 400, y: 20 };
    for (const d of [diffPipelines(v1, v1), diffPipelines(v1, moved)]) {
      expect(d.identical).toBe(true);
      expect(d.tasks).toEqual({ added: [], removed: [], changed: [] });
      expect(d.edges).toEqual({ added: [], removed: [] });
    }
  });

  it('reports a task inserted in a chain: the task added, the downstream input rewired (edges and binding)', () => {
    const v2 = compile(
      pipeline({ name: 'fit', inputs: { n: t.int({ default: 10 }), epochs: t.int({ default: 5 }) } }, (p) => {
        const data = p.task(load, { n: p.inputs.n }, { id: 'load' });
        const cleaned = p.task(clean, { raw: data.outputs.data }, { id: 'clean' });
        const model = p.task(train, { data: cleaned.outputs.data, epochs: p.inputs.epochs }, { id: 'train' });
        p.task(report, { model: model.outputs.model }, { id: 'report' });
        return { model: model.outputs.model };
      }),
    ).spec;
    const d = diffPipelines(v1, v2);
    expect(d.identical).toBe(false);
    expect(d.tasks.added).toEqual([{ id: 'clean', kind: 'task', scope: [], component: 'clean' }]);
    expect(d.tasks.removed).toEqual([]);
    expect(d.tasks.changed).toEqual([
      { id: 'train', kind: 'task', scope: [], component: null, inputs: [{ name: 'data', from: { task: 'load', output: 'data' }, to: { task: 'clean', output: 'data' } }], options: [] },
    ]);
    // Only wiring into nodes of both versions: clean's own input edge comes with the added task.
    expect(d.edges.removed).toEqual([{ from: 'load', output: 'data', to: 'train', input: 'data' }]);
    expect(d.edges.added).toEqual([{ from: 'clean', output: 'data', to: 'train', input: 'data' }]);
    expect(pipelineDiffSchema.parse(d)).toEqual(d);
  });

  it('reports a removed task, a new component version, changed options, after orderings, and pipeline inputs and outputs', () => {
    const v2 = compile(
      pipeline({ name: 'fit', inputs: { n: t.int({ default: 20 }), lr: t.float({ default: 0.1 }) } }, (p) => {
        const data = p.task(load, { n: p.inputs.n }, { id: 'load' });
        const model = p.task(trainV2, { data: data.outputs.data, epochs: 40 }, { id: 'train', retry: { maxAttempts: 3 }, after: [data] });
        return { trained: model.outputs.model };
      }),
    ).spec;
    const d = diffPipelines(v1, v2);
    expect(d.tasks.removed).toEqual([{ id: 'report', kind: 'task', scope: [], component: 'report' }]);
    const trainChange = d.tasks.changed.find((c) => c.id === 'train');
    expect(trainChange?.component?.from).toMatchObject({ name: 'train', version: '1' });
    expect(trainChange?.component?.to).toMatchObject({ name: 'train', version: '2' });
    expect(trainChange?.component?.from.digest).not.toBe(trainChange?.component?.to.digest);
    expect(trainChange?.inputs).toEqual([{ name: 'epochs', from: { pipelineInput: 'epochs' }, to: { const: 40 } }]);
    expect(trainChange?.options).toEqual([{ name: 'retry', from: null, to: { maxAttempts: 3 } }]);
    expect(d.edges.added).toEqual([{ from: 'load', output: null, to: 'train', input: null }]);
    expect(d.inputs.added).toEqual([{ name: 'lr', from: null, to: { kind: 'parameter', type: 'float', default: 0.1 } }]);
    expect(d.inputs.removed.map((i) => i.name)).toEqual(['epochs']);
    expect(d.inputs.changed).toEqual([{ name: 'n', from: { kind: 'parameter', type: 'int', default: 10 }, to: { kind: 'parameter', type: 'int', default: 20 } }]);
    expect(d.outputs.added.map((o) => o.name)).toEqual(['trained']);
    expect(d.outputs.removed.map((o) => o.name)).toEqual(['model']);
  });

  it('sees a task moved into a loop, and a loop whose items and parallelism changed', () => {
    const looped = (parallelism: number, items: number[]) =>
      compile(
        pipeline({ name: 'sweep' }, (p) => {
          p.forEach(items, (x) => {
            p.task(step, { x }, { id: 'step' });
          }, { id: 'each', parallelism });
        }),
      ).spec;
    const flat = compile(
      pipeline({ name: 'sweep' }, (p) => {
        p.task(step, { x: 1 }, { id: 'step' });
      }),
    ).spec;
    const d = diffPipelines(flat, looped(2, [1, 2]));
    expect(d.tasks.added).toEqual([{ id: 'each', kind: 'loop', scope: [], component: null }]);
    const moved = d.tasks.changed.find((c) => c.id === 'step');
    expect(moved?.options).toEqual([{ name: 'scope', from: [], to: ['each'] }]);
    expect(moved?.inputs).toEqual([{ name: 'x', from: { const: 1 }, to: { loopItem: 'each' } }]);

    const loopDiff = diffPipelines(looped(2, [1, 2]), looped(4, [1, 2, 3]));
    expect(loopDiff.tasks.changed).toEqual([
      {
        id: 'each',
        kind: 'loop',
        scope: [],
        component: null,
        inputs: [{ name: 'items', from: { const: [1, 2] }, to: { const: [1, 2, 3] } }],
        options: [{ name: 'parallelism', from: 2, to: 4 }],
      },
    ]);
  });

  it('names a renamed pipeline', () => {
    const renamed = clone(v1);
    renamed.name = 'fit2';
    expect(diffPipelines(v1, renamed)).toMatchObject({ identical: false, name: { from: 'fit', to: 'fit2' } });
  });
});
