import { describe, expect, it } from 'vitest';
import { validatePipeline } from 'sluice/ir';
import { cachedIndex, connect, connectableOutputs, connectionProblem } from './connect';
import { setInput } from './bindings';
import { irisSpec, sweepSpec } from './testdata/fixtures';

describe('connect', () => {
  it('turns a compatible connection into a task-output binding the validator accepts', () => {
    const spec = setInput(irisSpec(), 'evaluate-classifier', 'test', undefined);
    const r = connect(spec, { source: 'split', sourcePort: 'test', target: 'evaluate-classifier', targetPort: 'test' });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.spec.dag.tasks['evaluate-classifier']).toMatchObject({ inputs: { test: { task: 'split', output: 'test' } } });
    expect(validatePipeline(r.spec).ok).toBe(true);
    // Untouched tasks keep their identity (the canvas re-renders only what changed).
    expect(r.spec.dag.tasks['split']).toBe(spec.dag.tasks['split']);
  });

  it('refuses a type mismatch with the reason from the shared port rules', () => {
    const spec = irisSpec();
    const why = connectionProblem(spec, { source: 'split', sourcePort: 'train', target: 'evaluate-classifier', targetPort: 'model' });
    expect(why).toContain("cannot feed evaluate-classifier input 'model' (Model)");
    expect(why).toContain('Dataset does not match Model');
    const r = connect(spec, { source: 'split', sourcePort: 'train', target: 'evaluate-classifier', targetPort: 'model' });
    expect(r).toEqual({ ok: false, reason: why });
  });

  it('refuses parameter → artifact and accepts int → float', () => {
    const spec = irisSpec();
    expect(connectionProblem(spec, { source: 'split', sourcePort: 'trainRows', target: 'train-classifier', targetPort: 'train' })).toMatch(/parameter/);
    expect(connectionProblem(spec, { source: 'split', sourcePort: 'trainRows', target: 'train-classifier', targetPort: 'learningRate' })).toBeUndefined();
  });

  it('refuses a cycle and names its path', () => {
    const why = connectionProblem(irisSpec(), { source: 'train-classifier', sourcePort: 'finalLoss', target: 'split', targetPort: 'testFraction' });
    expect(why).toBe('connecting would make a cycle: split → train-classifier → split');
    expect(connectionProblem(irisSpec(), { source: 'split', sourcePort: 'trainRows', target: 'split', targetPort: 'seed' })).toMatch(/itself/);
  });

  it('refuses reading a loop body from outside, and connects collected loop outputs', () => {
    const spec = sweepSpec();
    expect(connectionProblem(spec, { source: 'train-classifier', sourcePort: 'model', target: 'select-best', targetPort: 'models' })).toMatch(/inside loop "trials"/);
    const r = connect(setInput(spec, 'select-best', 'scores', undefined), { source: 'trials', sourcePort: 'accuracy', target: 'select-best', targetPort: 'scores' });
    expect(r.ok && r.spec.dag.tasks['select-best']).toMatchObject({ inputs: { scores: { collect: { loop: 'trials', output: 'accuracy' } } } });
  });

  it('lets a loop body read outer outputs but not its own loop', () => {
    const spec = sweepSpec();
    expect(connectionProblem(spec, { source: 'split', sourcePort: 'test', target: 'evaluate-classifier', targetPort: 'test' })).toBeUndefined();
    expect(connectionProblem(spec, { source: 'trials', sourcePort: 'accuracy', target: 'train-classifier', targetPort: 'hiddenLayers' })).toMatch(/inside loop "trials"/);
  });

  it('feeds a loop only from a list', () => {
    const spec = sweepSpec();
    expect(connectionProblem(spec, { source: 'split', sourcePort: 'trainRows', target: 'trials', targetPort: 'items' })).toMatch(/not a list|does not match/);
  });

  it('indexes each IR state once, however often a drag asks (regression: an index per pointer move)', () => {
    const spec = irisSpec();
    expect(cachedIndex(spec)).toBe(cachedIndex(spec));
    expect(cachedIndex({ ...spec })).not.toBe(cachedIndex(spec));
  });

  it('lists the outputs a keyboard user may connect to an input: compatible, visible, no cycle', () => {
    const spec = irisSpec();
    expect(connectableOutputs(spec, 'evaluate-classifier', 'test').map((c) => `${c.source}.${c.sourcePort}`)).toEqual(['load-iris.dataset', 'split.train', 'split.test']);
    expect(connectableOutputs(spec, 'evaluate-classifier', 'model')).toEqual([{ source: 'train-classifier', sourcePort: 'model', target: 'evaluate-classifier', targetPort: 'model' }]);
    // load-iris.dataset fits split's dataset input; nothing downstream of split may feed it (cycle).
    expect(connectableOutputs(spec, 'split', 'dataset').map((c) => c.source)).toEqual(['load-iris']);
    expect(connectableOutputs(sweepSpec(), 'select-best', 'scores').map((c) => `${c.source}.${c.sourcePort}`)).toEqual(['trials.accuracy']);
  });
});
