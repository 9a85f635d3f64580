/** Making a task a study in the editor's model, editing its tune block, and reading the validator's problems per field. */
import { describe, expect, it } from 'vitest';
import { component, pipeline, t } from 'sluice/dsl';
import { isTaskNode, validatePipeline, type PipelineSpec, type TaskSpec, type TuneSpec } from 'sluice/ir';
import { addTask } from './addTask';
import { setInput } from './bindings';
import { emptyPipeline } from './emptyPipeline';
import {
  changeParamType,
  defaultSearchParam,
  formatChoiceValues,
  makeStudy,
  parseChoiceValues,
  parseTune,
  searchText,
  setTune,
  studyBadge,
  studySummary,
  tuneFieldProblems,
  unmakeStudy,
  withSearchParam,
} from './tune';

const train = component({
  name: 'train',
  inputs: { data: t.Dataset(), lr: t.float(), units: t.int({ default: 8 }), act: t.enum(['relu', 'tanh']), tags: t.list(t.string(), { default: [] }) },
  outputs: { loss: t.float() },
  run: ({ lr }, ctx) => {
    ctx.metric('loss', lr);
    return { loss: lr };
  },
});
const loader = component({ name: 'loader', inputs: {}, outputs: { ds: t.Dataset() }, run: () => ({ ds: { path: 'x' } }) as never });

/** A pipeline built as the editor builds it: a loader wired into train, whose lr is 0.01. */
function edited(): PipelineSpec {
  let spec = addTask(emptyPipeline('study'), loader.spec, { position: { x: 0, y: 0 } }).spec;
  spec = addTask(spec, train.spec, { position: { x: 300, y: 0 } }).spec;
  spec = setInput(spec, 'train', 'data', { task: 'loader', output: 'ds' });
  spec = setInput(spec, 'train', 'lr', { const: 0.01 });
  spec = setInput(spec, 'train', 'act', { const: 'relu' });
  return spec;
}
const taskOf = (spec: PipelineSpec): TaskSpec => spec.dag.tasks.train as TaskSpec;
const ok = (r: { ok: true; spec: PipelineSpec } | { ok: false; reason: string }): PipelineSpec => {
  if (!r.ok) throw new Error(r.reason);
  return r.spec;
};

describe('a study in the editor', () => {
  it('makes a task a study over its first parameter input, around its value, and the result validates', () => {
    const spec = ok(makeStudy(edited(), 'train'));
    const task = taskOf(spec);
    expect(task.tune).toEqual({ space: { lr: { type: 'logUniform', low: 0.001, high: 0.1 } }, objective: { metric: 'loss', goal: 'minimize' }, algorithm: { name: 'random' }, maxTrials: 10 });
    // The study sets lr per trial: its binding is gone; the wire from the loader stays.
    expect(task.inputs).toEqual({ data: { task: 'loader', output: 'ds' }, act: { const: 'relu' } });
    expect(validatePipeline(spec).issues).toEqual([]);
  });

  it("makes a nested pipeline's task a study whose objective is reported by the pipeline's last task that can, and the result validates", () => {
    const inner = pipeline({ name: 'inner', inputs: { lr: t.float() } }, (p) => {
      const l = p.task(loader, {});
      const tr = p.task(train, { data: l.outputs.ds, lr: p.inputs.lr, act: 'relu' });
      return { loss: tr.outputs.loss };
    });
    const outer = pipeline({ name: 'outer' }, (p) => {
      p.task(inner, { lr: 0.01 }, { id: 'trial' });
    });
    const spec = ok(makeStudy(outer.spec, 'trial'));
    const task = spec.dag.tasks.trial as TaskSpec;
    expect(task.tune?.objective).toEqual({ metric: 'loss', task: 'train', goal: 'minimize' });
    expect(task.tune?.space).toEqual({ lr: { type: 'logUniform', low: 0.001, high: 0.1 } });
    expect(validatePipeline(spec).issues).toEqual([]);
  });

  it('refuses a loop or a task without a parameter input', () => {
    const r = makeStudy(edited(), 'loader');
    expect(r).toEqual({ ok: false, reason: 'component "loader" has no parameter input to search' });
  });

  it('edits the space, algorithm, budgets and early stopping through the IR schema, refusing what it refuses', () => {
    const spec = ok(makeStudy(edited(), 'train'));
    const tune = taskOf(spec).tune as TuneSpec;
    const next: TuneSpec = {
      ...withSearchParam(withSearchParam(tune, 'act', { type: 'choice', values: ['relu', 'tanh'] }), 'units', { type: 'intRange', low: 4, high: 64, step: 4, when: { param: 'act', in: ['relu'] } }),
      algorithm: { name: 'tpe', startupTrials: 5 },
      maxTrials: 30,
      parallelTrials: 3,
      maxFailedTrials: 2,
      earlyStopping: { rule: 'asha', minResource: 1, reductionFactor: 3 },
      seed: 42,
    };
    const edited2 = ok(setTune(spec, 'train', next));
    expect(taskOf(edited2).tune).toEqual(next);
    // act was bound to 'relu': searched now, so the binding went.
    expect(Object.keys(taskOf(edited2).inputs)).toEqual(['data']);
    expect(validatePipeline(edited2).issues).toEqual([]);

    expect(setTune(spec, 'train', { ...next, maxTrials: 0 })).toEqual({ ok: false, reason: 'maxTrials: Too small: expected number to be >0' });
    const reason = (r: ReturnType<typeof setTune>): string => (r.ok ? '' : r.reason);
    expect(reason(setTune(spec, 'train', { ...next, algorithm: { name: 'tpe', startupTrials: -1 } }))).toMatch(/^algorithm\.startupTrials: /);
    expect(reason(setTune(spec, 'train', { ...next, space: { 'no good': { type: 'uniform', low: 0, high: 1 } } }))).toMatch(/^space\.no good: /);
    expect(parseTune({ ...next, extra: 1 }).ok).toBe(false);
  });

  it("puts the validator's problems at their field", () => {
    const spec = ok(makeStudy(edited(), 'train'));
    const tune = taskOf(spec).tune as TuneSpec;
    const bad = ok(
      setTune(spec, 'train', {
        ...withSearchParam(withSearchParam(tune, 'lr', { type: 'logUniform', low: 0, high: 1 }), 'units', { type: 'uniform', low: 1, high: 8, when: { param: 'lr', in: [1] } }),
        parallelTrials: 20,
      }),
    );
    const byField = tuneFieldProblems(validatePipeline(bad).issues, 'train');
    expect([...byField.keys()].sort()).toEqual(['parallelTrials', 'space.lr', 'space.units', 'space.units.when']);
    expect(byField.get('space.lr')).toEqual(['search parameter "lr" is logUniform with a non-positive bound (low 0); a log scale needs low > 0']);
    expect(byField.get('space.units')?.[0]).toMatch(/draws floats \(uniform\) but the input is int/);
    expect(tuneFieldProblems(validatePipeline(bad).issues, 'loader').size).toBe(0);
  });

  it('makes a study a plain task again, giving each searched input a value of its range', () => {
    const spec = ok(makeStudy(edited(), 'train'));
    const back = unmakeStudy(spec, 'train');
    expect(taskOf(back).tune).toBeUndefined();
    expect(taskOf(back).inputs.lr).toEqual({ const: 0.001 });
    expect(validatePipeline(back).issues).toEqual([]);
  });

  it('picks a first distribution from the input type and value', () => {
    expect(defaultSearchParam({ kind: 'parameter', type: 'int', default: 8 })).toEqual({ type: 'intRange', low: 4, high: 16 });
    expect(defaultSearchParam({ kind: 'parameter', type: 'float' })).toEqual({ type: 'uniform', low: 0, high: 1 });
    expect(defaultSearchParam({ kind: 'parameter', type: 'bool' })).toEqual({ type: 'choice', values: [true, false] });
    expect(defaultSearchParam({ kind: 'parameter', type: 'string', enum: ['a', 'b'] })).toEqual({ type: 'choice', values: ['a', 'b'] });
    expect(changeParamType({ type: 'uniform', low: -1, high: 2 }, 'logUniform')).toEqual({ type: 'logUniform', low: 1e-4, high: 2 });
    expect(changeParamType({ type: 'choice', values: [2, 8, 4] }, 'intRange')).toEqual({ type: 'intRange', low: 2, high: 8 });
  });

  it('reads and writes choice values as a person types them', () => {
    expect(parseChoiceValues('relu, tanh ,3, true, "4"')).toEqual(['relu', 'tanh', 3, true, '4']);
    expect(formatChoiceValues(['relu', 3, true, '4'])).toBe('relu, 3, true, "4"');
    expect(parseChoiceValues(formatChoiceValues(['relu', 3, true, '4', 'true']))).toEqual(['relu', 3, true, '4', 'true']);
  });

  it('summarises a study for the canvas', () => {
    const tune: TuneSpec = { space: {}, objective: { metric: 'loss', goal: 'minimize' }, algorithm: { name: 'tpe' }, maxTrials: 40, parallelTrials: 4, earlyStopping: { rule: 'median' } };
    expect(studySummary(tune)).toBe('tpe · 40 trials, 4 at once · median stop');
    expect(studyBadge(tune)).toBe('tpe ×40');
    expect(searchText({ type: 'intRange', low: 4, high: 64, step: 4 })).toBe('~ intRange 4..64 step 4');
    expect(searchText({ type: 'choice', values: [1, 2] })).toBe('~ choice of 2');
  });

  it('keeps nodes that are not studies untouched', () => {
    const spec = edited();
    expect(isTaskNode(spec.dag.tasks.train as TaskSpec)).toBe(true);
    expect(unmakeStudy(spec, 'train')).toBe(spec);
  });
});
