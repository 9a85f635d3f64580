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

describe('validatePipeline: a nested pipeline as the trial', () => {
  const prepare = component({ name: 'prepare', inputs: { lr: t.float(), units: t.int() }, outputs: { plan: t.json() }, run: ({ lr, units }) => ({ plan: { lr, units } }) });
  const fit = component({ name: 'fit', inputs: { plan: t.json() }, outputs: { model: t.Model(), accuracy: t.float() }, run: () => ({ accuracy: 1 }) });
  const inner = pipeline({ name: 'trial', inputs: { lr: t.float(), units: t.int() } }, (p) => {
    const a = p.task(prepare, { lr: p.inputs.lr, units: p.inputs.units });
    const b = p.task(fit, { plan: a.outputs.plan });
    p.forEach([1, 2], (i) => p.task(prepare, { lr: p.inputs.lr, units: i }, { id: 'each' }), { id: 'loop' });
    return { model: b.outputs.model };
  });
  const outer = pipeline({ name: 'outer' }, (p) => {
    const s = p.tune(inner, { space: { lr: tune.logUniform(1e-4, 0.1), units: tune.intRange(4, 64) }, objective: { metric: 'accuracy', task: 'fit', goal: 'maximize' }, maxTrials: 4 });
    return { model: s.outputs.model, units: s.best.units };
  });
  const editObjective = (edit: (o: TuneSpec['objective']) => void): string => {
    const spec = structuredClone(outer.spec);
    edit(((spec.dag.tasks['tune-trial'] as TaskSpec).tune as TuneSpec).objective);
    return validatePipeline(spec).issues.map(formatIssue).join('\n');
  };

  it("accepts the DSL output: the space is checked against the pipeline's inputs, its outputs are the study's", () => {
    expect(validatePipeline(outer.spec).issues.map(formatIssue)).toEqual([]);
    expect((outer.spec.dag.tasks['tune-trial'] as TaskSpec).tune?.objective).toEqual({ metric: 'accuracy', task: 'fit', goal: 'maximize' });
  });

  it.each([
    ['an unknown task', (o: TuneSpec['objective']) => (o.task = 'evaluate'), /task "tune-trial".*the objective's task "evaluate" is not a task of the nested pipeline "trial".*prepare, fit/s],
    ['no task', (o: TuneSpec['objective']) => delete o.task, /task "tune-trial".*does not say which of its tasks reports the metric "accuracy"/s],
    ['a loop', (o: TuneSpec['objective']) => (o.task = 'loop'), /task "tune-trial".*the objective's task "loop" of the nested pipeline "trial" is a loop/s],
  ])('refuses an objective naming %s, naming the study and the task', (_what, edit, message) => {
    expect(editObjective(edit)).toMatch(message);
  });

  it('refuses a float space on an int input of the pipeline, and an objective task on a component trial', () => {
    const spec = structuredClone(outer.spec);
    ((spec.dag.tasks['tune-trial'] as TaskSpec).tune as TuneSpec).space.units = { type: 'uniform', low: 1, high: 3 };
    expect(validatePipeline(spec).issues.map(formatIssue).join('\n')).toMatch(/search parameter "units" draws floats \(uniform\) but the input is int/);
    expect(broken((s) => (s.objective.task = 'fit')).join('\n')).toMatch(/the objective names task "fit", but the trial is the component "train"/);
  });

  it('the DSL refuses a pipeline trial whose objective names no task of it', () => {
    expect(() =>
      pipeline({ name: 'bad' }, (p) => {
        p.tune(inner, { space: { lr: tune.uniform(0, 1) }, objective: { metric: 'accuracy', task: 'nope', goal: 'maximize' }, inputs: { units: 3 }, maxTrials: 2 });
      }),
    ).toThrow(/tune-trial.*the objective's task "nope" is not a task of the nested pipeline "trial"/s);
  });
});
