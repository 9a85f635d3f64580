import { describe, expect, it } from 'vitest';
import { isLoopNode, validatePipeline, type Expr } from 'sluice/ir';
import { updateNode } from './nodeTree';
import { addPipelineInput, removePipelineInput, renamePipelineOutput, setPipelineOutput, updatePipelineInput } from './pipelinePorts';
import { danglingIssues, inputsOf, irisSpec, sweepSpec } from './testdata/fixtures';

describe('pipeline inputs and outputs', () => {
  it('adds an input, refusing bad names, duplicates and defaults that do not fit', () => {
    const spec = irisSpec();
    const r = addPipelineInput(spec, 'batch', { kind: 'parameter', type: 'int', default: 32 });
    expect(r.ok && r.spec.inputs['batch']).toEqual({ kind: 'parameter', type: 'int', default: 32 });
    expect(addPipelineInput(spec, 'seed', { kind: 'parameter', type: 'int' })).toMatchObject({ ok: false, reason: expect.stringMatching(/already has/) as unknown });
    expect(addPipelineInput(spec, '1x', { kind: 'parameter', type: 'int' }).ok).toBe(false);
    expect(addPipelineInput(spec, 'lr', { kind: 'parameter', type: 'int', default: 2.5 })).toMatchObject({ ok: false, reason: expect.stringMatching(/integer/) as unknown });
  });

  it('renames an input and rewrites the bindings that read it', () => {
    const r = updatePipelineInput(irisSpec(), 'seed', { kind: 'parameter', type: 'int', default: 7 }, 'randomSeed');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.spec.dag.tasks['split']).toMatchObject({ inputs: { seed: { pipelineInput: 'randomSeed' } } });
    expect(validatePipeline(r.spec).ok).toBe(true);
  });

  it('removes an input and unbinds what read it', () => {
    const r = removePipelineInput(irisSpec(), 'seed');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.spec.inputs['seed']).toBeUndefined();
    expect(inputsOf(r.spec, 'split')).toEqual({ dataset: { task: 'load-iris', output: 'dataset' }, testFraction: { pipelineInput: 'testFraction' } });
    expect(danglingIssues(r.spec)).toEqual([]);
  });

  it('refuses to remove an input a condition reads (regression: the condition dangled)', () => {
    const when: Expr = { op: 'gt', left: { pipelineInput: 'epochs' }, right: { const: 0 } };
    const spec = updateNode(irisSpec(), 'evaluate-classifier', (n) => ({ ...n, when }));
    expect(removePipelineInput(spec, 'epochs')).toEqual({ ok: false, reason: "task evaluate-classifier's condition reads pipeline input epochs; remove or change the condition first" });
  });

  it('refuses to remove the input a loop takes its items from (regression: the items dangled)', () => {
    expect(removePipelineInput(sweepSpec(), 'grid')).toEqual({ ok: false, reason: "loop trials's items come from pipeline input grid; connect another list to its items first" });
  });

  it('removing an input keeps the other branches of a oneOf', () => {
    const spec = updateNode(irisSpec(), 'split', (n) => (isLoopNode(n) ? n : { ...n, inputs: { ...n.inputs, seed: { oneOf: [{ pipelineInput: 'seed' }, { pipelineInput: 'epochs' }] } } }));
    const r = removePipelineInput(spec, 'seed');
    expect(r.ok && inputsOf(r.spec, 'split')['seed']).toEqual({ pipelineInput: 'epochs' });
  });

  it('renaming an input rewrites oneOf branches, conditions and loop items (regression: oneOf kept the old name)', () => {
    const when: Expr = { op: 'gt', left: { pipelineInput: 'seed' }, right: { const: 0 } };
    let spec = updateNode(irisSpec(), 'split', (n) => (isLoopNode(n) ? n : { ...n, inputs: { ...n.inputs, seed: { oneOf: [{ pipelineInput: 'seed' }, { const: 1 }] } } }));
    spec = updateNode(spec, 'evaluate-classifier', (n) => ({ ...n, when }));
    const r = updatePipelineInput(spec, 'seed', { kind: 'parameter', type: 'int', default: 7 }, 'randomSeed');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(inputsOf(r.spec, 'split')['seed']).toEqual({ oneOf: [{ pipelineInput: 'randomSeed' }, { const: 1 }] });
    expect(r.spec.dag.tasks['evaluate-classifier']?.when).toEqual({ op: 'gt', left: { pipelineInput: 'randomSeed' }, right: { const: 0 } });
    expect(danglingIssues(r.spec)).toEqual([]);
    const sweep = updatePipelineInput(sweepSpec(), 'grid', sweepSpec().inputs['grid'] ?? { kind: 'parameter', type: 'json' }, 'space');
    expect(sweep.ok).toBe(true);
    if (!sweep.ok) return;
    const trials = sweep.spec.dag.tasks['trials'];
    expect(trials && isLoopNode(trials) ? trials.loop.items : undefined).toEqual({ pipelineInput: 'space' });
    expect(danglingIssues(sweep.spec)).toEqual([]);
  });

  it('sets, renames and removes outputs', () => {
    const r = setPipelineOutput(irisSpec(), 'rows', { task: 'split', output: 'trainRows' });
    expect(r.ok && r.spec.outputs['rows']).toEqual({ task: 'split', output: 'trainRows' });
    if (!r.ok) return;
    const renamed = renamePipelineOutput(r.spec, 'rows', 'trainRows');
    expect(renamed.ok && Object.keys(renamed.spec.outputs)).toEqual(['model', 'metrics', 'trainRows']);
    const removed = setPipelineOutput(r.spec, 'rows', undefined);
    expect(removed.ok && removed.spec.outputs['rows']).toBeUndefined();
  });
});
