/**
 * Test fixtures: the iris and hyperparameter-sweep examples as compiled IR (`sluice compile`),
 * frozen here so that edits to examples/ do not move the editor's tests.
 */
import { validatePipeline, type PipelineSpec } from 'sluice/dsl';
import irisJson from './iris.json';
import sweepJson from './sweep.json';

function fixture(json: unknown, name: string): PipelineSpec {
  const r = validatePipeline(json);
  if (!r.ok) throw new Error(`fixture ${name} is not valid IR: ${r.issues.map((i) => i.message).join('; ')}`);
  return r.spec;
}

export const irisSpec = (): PipelineSpec => fixture(irisJson, 'iris.json');
export const sweepSpec = (): PipelineSpec => fixture(sweepJson, 'sweep.json');
