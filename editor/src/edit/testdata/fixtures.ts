/**
 * Test fixtures: the iris and hyperparameter-sweep examples as compiled IR (`sluice compile`),
 * frozen here so that edits to examples/ do not move the editor's tests.
 */
import { indexPipeline, isLoopNode, validatePipeline, type Binding, type PipelineSpec } from 'sluice/ir';
import irisJson from './iris.json';
import sweepJson from './sweep.json';

function fixture(json: unknown, name: string): PipelineSpec {
  const r = validatePipeline(json);
  if (!r.ok) throw new Error(`fixture ${name} is not valid IR: ${r.issues.map((i) => i.message).join('; ')}`);
  return r.spec;
}

export const irisSpec = (): PipelineSpec => fixture(irisJson, 'iris.json');
export const sweepSpec = (): PipelineSpec => fixture(sweepJson, 'sweep.json');

/** The input bindings of task `id` (throws when there is no such task, or it is a loop). */
export function inputsOf(spec: PipelineSpec, id: string): Record<string, Binding> {
  const node = indexPipeline(spec).nodes.get(id)?.node;
  if (!node || isLoopNode(node)) throw new Error(`no task ${id}`);
  return node.inputs;
}

/** Validation issues that mean a reference dangles: an edit must never leave one behind. */
export function danglingIssues(spec: PipelineSpec): string[] {
  return validatePipeline(spec)
    .issues.filter((i) => i.code === 'unknown-source' || i.code === 'bad-scope' || i.code === 'bad-condition' || i.code === 'unknown-dependency')
    .map((i) => `${i.code}: ${i.message}`);
}
