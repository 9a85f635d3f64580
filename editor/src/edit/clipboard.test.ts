import { describe, expect, it } from 'vitest';
import { indexPipeline, validatePipeline } from 'sluice/dsl';
import { copyNodes, pasteFragment } from './clipboard';
import { emptyPipeline } from './emptyPipeline';
import { irisSpec, sweepSpec } from './testdata/fixtures';

describe('copy / paste', () => {
  it('pastes with fresh ids, rewriting references inside the fragment and keeping visible outer ones', () => {
    const spec = irisSpec();
    const fragment = copyNodes(spec, ['train-classifier', 'evaluate-classifier']);
    const r = pasteFragment(spec, fragment, { offset: { x: 40, y: 40 } });
    expect(r.ids).toEqual(['train-classifier-2', 'evaluate-classifier-2']);
    expect(r.spec.dag.tasks['evaluate-classifier-2']).toMatchObject({
      inputs: { model: { task: 'train-classifier-2', output: 'model' }, test: { task: 'split', output: 'test' } },
    });
    expect(r.spec.dag.tasks['train-classifier-2']?.ui).toMatchObject({ x: 40, y: 40 });
    expect(validatePipeline(r.spec).ok).toBe(true);
  });

  it('drops references to nodes the target pipeline does not have', () => {
    const fragment = copyNodes(irisSpec(), ['evaluate-classifier']);
    const r = pasteFragment(emptyPipeline(), fragment, { offset: { x: 0, y: 0 } });
    expect(r.spec.dag.tasks['evaluate-classifier']).toMatchObject({ inputs: {} });
    expect(Object.keys(r.spec.components)).toEqual(['evaluate-classifier']);
  });

  it('copies a loop with its body and renames body ids and loopItem refs', () => {
    const spec = sweepSpec();
    const r = pasteFragment(spec, copyNodes(spec, ['trials', 'train-classifier']), { offset: { x: 0, y: 0 } });
    expect(r.ids).toEqual(['trials-2']);
    const index = indexPipeline(r.spec);
    expect(index.nodes.get('train-classifier-2')?.scope).toEqual(['trials-2']);
    expect(validatePipeline(r.spec).ok).toBe(true);
  });
});
