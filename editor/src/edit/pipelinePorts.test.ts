import { describe, expect, it } from 'vitest';
import { validatePipeline } from 'sluice/dsl';
import { addPipelineInput, removePipelineInput, renamePipelineOutput, setPipelineOutput, updatePipelineInput } from './pipelinePorts';
import { irisSpec } from './testdata/fixtures';

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
    const spec = removePipelineInput(irisSpec(), 'seed');
    expect(spec.inputs['seed']).toBeUndefined();
    expect('seed' in (spec.dag.tasks['split'] as { inputs: object }).inputs).toBe(false);
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
