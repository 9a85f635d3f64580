import { describe, expect, it } from 'vitest';
import { indexPipeline, validatePipeline, type ComponentSpec } from 'sluice/dsl';
import { addTask } from './addTask';
import { disconnect, setInput } from './bindings';
import { emptyPipeline } from './emptyPipeline';
import { moveNodes, setGroupCollapsed, setNodeUi } from './nodeUi';
import { removeNodes } from './removeNodes';
import { renameTask } from './renameTask';
import { irisSpec, sweepSpec } from './testdata/fixtures';

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
    const r = removeNodes(irisSpec(), ['train-classifier']);
    expect(r.dag.tasks['train-classifier']).toBeUndefined();
    expect(r.dag.tasks['evaluate-classifier']).toMatchObject({ inputs: { test: { task: 'split', output: 'test' } } });
    expect('model' in ((r.dag.tasks['evaluate-classifier'] as { inputs: object }).inputs)).toBe(false);
    expect(r.outputs['model']).toBeUndefined();
    expect(r.components['train-classifier']).toBeUndefined();
    const v = validatePipeline(r);
    expect(v.ok).toBe(false);
    expect(v.issues.map((i) => i.code)).toContain('missing-input');
  });

  it('removes a loop with its body', () => {
    const r = removeNodes(sweepSpec(), ['trials']);
    expect(indexPipeline(r).nodes.has('train-classifier')).toBe(false);
    expect(r.dag.tasks['select-best']).toMatchObject({ inputs: {} });
  });

  it('returns the same spec when nothing is removed', () => {
    const spec = irisSpec();
    expect(removeNodes(spec, ['nope'])).toBe(spec);
  });
});

describe('setInput / disconnect', () => {
  it('binds a constant and unbinds it', () => {
    const spec = setInput(irisSpec(), 'split', 'stratifyBy', { const: 'species' });
    expect(spec.dag.tasks['split']).toMatchObject({ inputs: { stratifyBy: { const: 'species' } } });
    expect('stratifyBy' in (setInput(spec, 'split', 'stratifyBy', undefined).dag.tasks['split'] as { inputs: object }).inputs).toBe(false);
  });

  it('disconnects a data edge; refuses to drop a loop\'s items', () => {
    const r = disconnect(irisSpec(), { source: 'split', sourcePort: 'test', target: 'evaluate-classifier', targetPort: 'test', kind: 'data' });
    expect(r.ok && 'test' in (r.spec.dag.tasks['evaluate-classifier'] as { inputs: object }).inputs).toBe(false);
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
