import { describe, expect, it } from 'vitest';
import { indexPipeline, validatePipeline, type Expr, type PipelineSpec } from 'sluice/ir';
import { copyNodes, pasteFragment, type PasteResult } from './clipboard';
import { updateNode } from './nodeTree';
import { renameNodes } from './renameTask';
import { emptyPipeline } from './emptyPipeline';
import { danglingIssues, inputsOf, irisSpec, sweepSpec } from './testdata/fixtures';

const pasted = (r: PasteResult): { spec: PipelineSpec; ids: string[] } => {
  if (!r.ok) throw new Error(`refused: ${r.reason}`);
  return r;
};

describe('copy / paste', () => {
  it('pastes with fresh ids, rewriting references inside the fragment and keeping visible outer ones', () => {
    const spec = irisSpec();
    const fragment = copyNodes(spec, ['train-classifier', 'evaluate-classifier']);
    const r = pasted(pasteFragment(spec, fragment, { offset: { x: 40, y: 40 } }));
    expect(r.ids).toEqual(['train-classifier-2', 'evaluate-classifier-2']);
    expect(r.spec.dag.tasks['evaluate-classifier-2']).toMatchObject({
      inputs: { model: { task: 'train-classifier-2', output: 'model' }, test: { task: 'split', output: 'test' } },
    });
    expect(r.spec.dag.tasks['train-classifier-2']?.ui).toMatchObject({ x: 40, y: 40 });
    expect(validatePipeline(r.spec).ok).toBe(true);
  });

  it('drops references to nodes the target pipeline does not have', () => {
    const fragment = copyNodes(irisSpec(), ['evaluate-classifier']);
    const r = pasted(pasteFragment(emptyPipeline(), fragment, { offset: { x: 0, y: 0 } }));
    expect(inputsOf(r.spec, 'evaluate-classifier')).toEqual({});
    expect(Object.keys(r.spec.components)).toEqual(['evaluate-classifier']);
  });

  it('copies a loop with its body and renames body ids and loopItem refs', () => {
    const spec = sweepSpec();
    const r = pasted(pasteFragment(spec, copyNodes(spec, ['trials', 'train-classifier']), { offset: { x: 0, y: 0 } }));
    expect(r.ids).toEqual(['trials-2']);
    const index = indexPipeline(r.spec);
    expect(index.nodes.get('train-classifier-2')?.scope).toEqual(['trials-2']);
    expect(validatePipeline(r.spec).ok).toBe(true);
  });

  it('decides on outer references before renaming: one equal to a new id is dropped, not pointed at the copy (regression)', () => {
    // Source: "split" is a load-iris task and train-classifier reads "split-2" (the real splitter).
    const source = renameNodes(irisSpec(), new Map([['split', 'split-2'], ['load-iris', 'split']]));
    const r = pasted(pasteFragment(irisSpec(), copyNodes(source, ['split', 'train-classifier']), { offset: { x: 0, y: 0 } }));
    // The pasted "split" becomes split-2; the outer split-2 train-classifier read does not exist here.
    expect(r.ids).toEqual(['split-2', 'train-classifier-2']);
    expect(inputsOf(r.spec, 'train-classifier-2')).toEqual({
      hiddenUnits: { pipelineInput: 'hiddenUnits' },
      epochs: { pipelineInput: 'epochs' },
      learningRate: { pipelineInput: 'learningRate' },
      seed: { pipelineInput: 'seed' },
    });
    expect(danglingIssues(r.spec)).toEqual([]);
  });

  it('drops pipeline-input bindings the target pipeline lacks', () => {
    const r = pasted(pasteFragment(emptyPipeline(), copyNodes(irisSpec(), ['split']), { offset: { x: 0, y: 0 } }));
    expect(inputsOf(r.spec, 'split')).toEqual({});
    expect(danglingIssues(r.spec)).toEqual([]);
  });

  it('keeps a condition whose source is visible, and refuses a paste that would leave one dangling (regression)', () => {
    const when: Expr = { op: 'gt', left: { task: 'split', output: 'trainRows' }, right: { const: 10 } };
    const spec = updateNode(irisSpec(), 'evaluate-classifier', (n) => ({ ...n, when }));
    const fragment = copyNodes(spec, ['evaluate-classifier']);
    const same = pasted(pasteFragment(spec, fragment, { offset: { x: 0, y: 0 } }));
    expect(same.spec.dag.tasks['evaluate-classifier-2']?.when).toEqual(when);
    expect(danglingIssues(same.spec)).toEqual([]);
    expect(pasteFragment(emptyPipeline(), fragment, { offset: { x: 0, y: 0 } })).toEqual({
      ok: false,
      reason: "cannot paste here: task evaluate-classifier's condition reads split; remove or change the condition first (copy it along, or paste where it is visible)",
    });
  });
});
