import { describe, expect, it } from 'vitest';
import { indexPipeline, isLoopNode, validatePipeline, type ComponentSpec, type Expr, type PipelineSpec } from 'sluice/ir';
import { addTask } from './addTask';
import { disconnect, setInput } from './bindings';
import { emptyPipeline } from './emptyPipeline';
import { updateNode } from './nodeTree';
import { moveNodes, setGroupCollapsed, setNodeUi } from './nodeUi';
import { removeNodes } from './removeNodes';
import { renameTask } from './renameTask';
import { danglingIssues, inputsOf, irisSpec, sweepSpec } from './testdata/fixtures';

const ok = (r: { ok: true; spec: PipelineSpec } | { ok: false; reason: string }): PipelineSpec => {
  if (!r.ok) throw new Error(`refused: ${r.reason}`);
  return r.spec;
};

const whenSplitHasRows: Expr = { op: 'gt', left: { task: 'split', output: 'trainRows' }, right: { const: 10 } };

const component = (spec = irisSpec(), ref = 'split'): ComponentSpec => {
  const c = spec.components[ref];
  if (!c) throw new Error(`fixture has no component ${ref}`);
  return c;
};

describe('addTask', () => {
  it('copies the component spec in, gives a unique id and a position', () => {
    const r1 = addTask(emptyPipeline(), component(), { position: { x: 10.4, y: 20.6 } });
    expect(r1.id).toBe('split');
    expect(r1.spec.components['split']).toEqual(component());
    expect(r1.spec.dag.tasks['split']).toEqual({ component: 'split', inputs: {}, ui: { x: 10, y: 21 } });
    const r2 = addTask(r1.spec, component(), { position: { x: 0, y: 0 } });
    expect(r2.id).toBe('split-2');
    expect(Object.keys(r2.spec.components)).toEqual(['split']);
  });

  it('keeps ids unique across loop bodies and adds into a loop', () => {
    const spec = sweepSpec();
    const r = addTask(spec, component(spec, 'train-classifier'), { position: { x: 0, y: 0 }, parent: 'trials' });
    expect(r.id).toBe('train-classifier-2');
    const info = indexPipeline(r.spec).nodes.get(r.id);
    expect(info?.scope).toEqual(['trials']);
  });

  it('adds a different component of the same name under another ref', () => {
    const other: ComponentSpec = { ...component(), version: '9' };
    const r = addTask(irisSpec(), other, { position: { x: 0, y: 0 } });
    expect(r.spec.dag.tasks[r.id]).toMatchObject({ component: 'split-2' });
  });
});

describe('removeNodes', () => {
  it('removes tasks, unbinds inputs and outputs that read them, drops unused components', () => {
    const r = ok(removeNodes(irisSpec(), ['train-classifier']));
    expect(r.dag.tasks['train-classifier']).toBeUndefined();
    expect(inputsOf(r, 'evaluate-classifier')).toEqual({ test: { task: 'split', output: 'test' } });
    expect(r.outputs['model']).toBeUndefined();
    expect(r.components['train-classifier']).toBeUndefined();
    const v = validatePipeline(r);
    expect(v.ok).toBe(false);
    expect(v.issues.map((i) => i.code)).toContain('missing-input');
    expect(danglingIssues(r)).toEqual([]);
  });

  it('removes a loop with its body', () => {
    const r = ok(removeNodes(sweepSpec(), ['trials']));
    expect(indexPipeline(r).nodes.has('train-classifier')).toBe(false);
    expect(inputsOf(r, 'select-best')).toEqual({});
    expect(danglingIssues(r)).toEqual([]);
  });

  it('returns the same spec when nothing is removed', () => {
    const spec = irisSpec();
    expect(removeNodes(spec, ['nope'])).toEqual({ ok: true, spec });
  });

  it('refuses to delete a task that a condition reads, naming the condition (regression: the condition dangled)', () => {
    const spec = updateNode(irisSpec(), 'train-classifier', (n) => ({ ...n, when: whenSplitHasRows }));
    expect(removeNodes(spec, ['split'])).toEqual({ ok: false, reason: "task train-classifier's condition reads split; remove or change the condition first" });
    // Deleting the conditioned task along with it is fine.
    const r = ok(removeNodes(spec, ['split', 'train-classifier']));
    expect(danglingIssues(r)).toEqual([]);
  });

  it('refuses to delete the task a loop takes its items from (regression: the items dangled)', () => {
    const spec = updateNode(sweepSpec(), 'trials', (n) => (isLoopNode(n) ? { ...n, loop: { ...n.loop, items: { task: 'split', output: 'trainRows' } } } : n));
    expect(removeNodes(spec, ['split'])).toEqual({ ok: false, reason: "loop trials's items come from split; connect another list to its items first" });
  });

  it('drops a loop output whose body task goes, and the collect bindings that read it (regression: collect dangled)', () => {
    const r = ok(removeNodes(sweepSpec(), ['evaluate-classifier']));
    const trials = r.dag.tasks['trials'];
    expect(trials && isLoopNode(trials) ? trials.loop.outputs : undefined).toEqual({ model: { task: 'train-classifier', output: 'model' } });
    expect(inputsOf(r, 'select-best')).toEqual({ models: { collect: { loop: 'trials', output: 'model' } } });
    expect(danglingIssues(r)).toEqual([]);
  });

  it('keeps the other branches of a oneOf and drops `after` entries', () => {
    let spec = updateNode(irisSpec(), 'evaluate-classifier', (n) =>
      isLoopNode(n) ? n : { ...n, after: ['load-iris', 'train-classifier'], inputs: { ...n.inputs, model: { oneOf: [{ task: 'train-classifier', output: 'model' }, { pipelineInput: 'baseline' }] } } },
    );
    spec = { ...spec, inputs: { ...spec.inputs, baseline: { kind: 'artifact', type: 'Model' } } };
    const r = ok(removeNodes(spec, ['train-classifier']));
    expect(inputsOf(r, 'evaluate-classifier')).toEqual({ model: { pipelineInput: 'baseline' }, test: { task: 'split', output: 'test' } });
    expect(r.dag.tasks['evaluate-classifier']?.after).toEqual(['load-iris']);
    expect(danglingIssues(r)).toEqual([]);
  });
});

describe('setInput / disconnect', () => {
  it('binds a constant and unbinds it', () => {
    const spec = setInput(irisSpec(), 'split', 'stratifyBy', { const: 'species' });
    expect(spec.dag.tasks['split']).toMatchObject({ inputs: { stratifyBy: { const: 'species' } } });
    expect('stratifyBy' in inputsOf(setInput(spec, 'split', 'stratifyBy', undefined), 'split')).toBe(false);
  });

  it('returns the same spec when the binding equals the current one (regression: every blur was an undo step)', () => {
    const spec = setInput(irisSpec(), 'split', 'stratifyBy', { const: 'species' });
    expect(setInput(spec, 'split', 'stratifyBy', { const: 'species' })).toBe(spec);
    expect(setInput(spec, 'split', 'seed', { pipelineInput: 'seed' })).toBe(spec);
    expect(setInput(spec, 'split', 'nothing-bound', undefined)).toBe(spec);
  });

  it('disconnects a data edge; refuses to drop a loop\'s items', () => {
    const r = disconnect(irisSpec(), { source: 'split', sourcePort: 'test', target: 'evaluate-classifier', targetPort: 'test', kind: 'data' });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(inputsOf(r.spec, 'evaluate-classifier')).toEqual({ model: { task: 'train-classifier', output: 'model' } });
    expect(disconnect(sweepSpec(), { source: 'x', target: 'trials', kind: 'items' }).ok).toBe(false);
  });
});

describe('moveNodes / ui', () => {
  it('stores rounded positions in ui, which never change the digest', () => {
    const spec = irisSpec();
    const moved = moveNodes(spec, { split: { x: 1.6, y: 2.2 } });
    expect(moved.dag.tasks['split']?.ui).toMatchObject({ x: 2, y: 2 });
    expect(moved.dag.tasks['load-iris']).toBe(spec.dag.tasks['load-iris']);
    const label = setNodeUi(moved, 'split', { label: 'Split rows' });
    expect(label.dag.tasks['split']?.ui).toEqual({ x: 2, y: 2, label: 'Split rows' });
    expect(setNodeUi(label, 'split', { label: undefined }).dag.tasks['split']?.ui).toEqual({ x: 2, y: 2 });
  });

  it('collapses a condition group in one scope', () => {
    let spec = setNodeUi(irisSpec(), 'train-classifier', { group: 'if-1' });
    spec = setNodeUi(spec, 'evaluate-classifier', { group: 'if-1' });
    const collapsed = setGroupCollapsed(spec, undefined, 'if-1', true);
    expect(collapsed.dag.tasks['train-classifier']?.ui?.collapsed).toBe(true);
    expect(collapsed.dag.tasks['evaluate-classifier']?.ui?.collapsed).toBe(true);
    expect(setGroupCollapsed(collapsed, undefined, 'if-1', false).dag.tasks['train-classifier']?.ui?.collapsed).toBeUndefined();
  });
});

describe('renameTask', () => {
  it('renames the key and every reference', () => {
    const r = renameTask(irisSpec(), 'split', 'split-rows');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(Object.keys(r.spec.dag.tasks)).toEqual(['load-iris', 'split-rows', 'train-classifier', 'evaluate-classifier']);
    expect(r.spec.dag.tasks['train-classifier']).toMatchObject({ inputs: { train: { task: 'split-rows', output: 'train' } } });
    expect(validatePipeline(r.spec).ok).toBe(true);
  });

  it('renames loops in collect and loopItem bindings', () => {
    const r = renameTask(sweepSpec(), 'trials', 'sweep');
    expect(r.ok && validatePipeline(r.spec).ok).toBe(true);
  });

  it('refuses bad and taken ids with a reason', () => {
    expect(renameTask(irisSpec(), 'split', '9x')).toMatchObject({ ok: false, reason: expect.stringMatching(/not a valid id/) as unknown });
    expect(renameTask(sweepSpec(), 'split', 'train-classifier')).toMatchObject({ ok: false, reason: expect.stringMatching(/taken/) as unknown });
  });
});
