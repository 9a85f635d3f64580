/** The validator's study rules: IR built by p.tune and then broken the way another producer (the editor, the API) might. */
import { describe, expect, it } from 'vitest';
import { component } from '../component';
import { pipeline } from '../pipeline';
import { t } from '../ports';
import { tune } from '../tune';
import { formatIssue, validatePipeline } from './validate';
import type { PipelineSpec, TaskSpec } from './schema';
import type { TuneSpec } from './tuneSpec';

const train = component({
  name: 'train',
  inputs: { data: t.string(), lr: t.float(), units: t.int(), act: t.enum(['relu', 'tanh']), model: t.Model({ optional: true }) },
  outputs: { accuracy: t.float() },
  run: () => ({ accuracy: 1 }),
});
const report = component({ name: 'report', inputs: { lr: t.float(), all: t.json() }, run: () => undefined });

const base = pipeline({ name: 'study' }, (p) => {
  const s = p.tune(train, {
    inputs: { data: 'iris' },
    space: { lr: tune.logUniform(1e-4, 0.1), units: tune.intRange(4, 64), act: tune.choice(['relu', 'tanh']) },
    objective: { metric: 'accuracy', goal: 'maximize' },
    maxTrials: 10,
    parallelTrials: 2,
  });
  p.task(report, { lr: s.best.lr, all: s.outputs.trials });
});

function broken(edit: (tune: TuneSpec, task: TaskSpec, spec: PipelineSpec) => void): string[] {
  const spec = structuredClone(base.spec);
  const task = spec.dag.tasks['tune-train'] as TaskSpec;
  edit(task.tune as TuneSpec, task, spec);
  return validatePipeline(spec).issues.map(formatIssue);
}

describe('validatePipeline: tuning studies', () => {
  it('accepts the DSL output: searched inputs need no binding, study outputs and best.<param> are readable', () => {
    expect(validatePipeline(base.spec).issues.map(formatIssue)).toEqual([]);
  });

  it.each([
    ['an empty choice', (s: TuneSpec) => (s.space.act = { type: 'choice', values: [] }), /search parameter "act" is an empty choice/],
    ['logUniform with a non-positive bound', (s: TuneSpec) => (s.space.lr = { type: 'logUniform', low: 0, high: 1 }), /search parameter "lr" is logUniform with a non-positive bound/],
    ['low ≥ high', (s: TuneSpec) => (s.space.units = { type: 'intRange', low: 9, high: 3 }), /search parameter "units" has low 9 ≥ high 3/],
    ['a float space on an int input', (s: TuneSpec) => (s.space.units = { type: 'uniform', low: 1, high: 3 }), /search parameter "units" draws floats \(uniform\) but the input is int/],
    ['a choice value outside an enum', (s: TuneSpec) => (s.space.act = { type: 'choice', values: ['relu', 'gelu'] }), /choice value "gelu" is not one of the input's values/],
    ['a choice value of the wrong type', (s: TuneSpec) => (s.space.units = { type: 'choice', values: [8, 'big'] }), /search parameter "units" choice value "big" does not fit the int input/],
    ['an unknown input', (s: TuneSpec) => (s.space.depth = { type: 'intRange', low: 1, high: 3 }), /search parameter "depth" is not an input of component "train"/],
    ['an artifact input', (s: TuneSpec) => (s.space.model = { type: 'choice', values: ['a'] }), /search parameter "model" is an artifact input/],
    ['a condition on a parameter that is no earlier choice', (s: TuneSpec) => (s.space.units = { type: 'intRange', low: 1, high: 3, when: { param: 'lr', in: [1] } }), /"lr" is not a choice listed before it/],
    ['parallelTrials above maxTrials', (s: TuneSpec) => (s.parallelTrials = 20), /parallelTrials 20 is more than maxTrials 10/],
    ['grid over a continuous space', (s: TuneSpec) => (s.algorithm = { name: 'grid' }), /grid search needs a finite grid/],
  ])('refuses %s, naming the parameter', (_what, edit, message) => {
    const issues = broken((s) => edit(s));
    expect(issues.join('\n')).toMatch(message);
    expect(issues.every((i) => i.includes('task "tune-train"'))).toBe(true);
  });

  it('refuses a searched input that is also bound, and a missing fixed input', () => {
    expect(broken((_s, task) => (task.inputs.lr = { const: 0.1 })).join('\n')).toMatch(/search parameter "lr" is also set in the task's inputs/);
    expect(broken((_s, task) => delete task.inputs.data).join('\n')).toMatch(/required parameter input "data"/);
  });

  it('refuses reading best.<name> of a name that is not searched', () => {
    const issues = broken((_s, _t, spec) => {
      const r = spec.dag.tasks.report as TaskSpec;
      r.inputs.lr = { task: 'tune-train', output: 'best.momentum' };
    });
    expect(issues.join('\n')).toMatch(/has no output "best.momentum"/);
  });
});
