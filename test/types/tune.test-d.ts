/**
 * Type-level tests for `p.tune()`: a search space is checked against the trial's inputs. Each
 * `@ts-expect-error` fails the build if the line below it ever starts compiling.
 */
import { component, pipeline, t, tune } from 'sluice/dsl';
import type { ArtifactRef, ParamRef } from 'sluice/dsl';

const train = component({
  name: 'train',
  inputs: { data: t.string(), lr: t.float(), units: t.int({ default: 8 }), act: t.enum(['relu', 'tanh']), deep: t.bool({ default: false }), momentum: t.float({ optional: true }) },
  outputs: { model: t.Model(), accuracy: t.float() },
  run: () => ({ accuracy: 1 }),
});

const summarize = component({ name: 'summarize', inputs: { trials: t.Dataset() }, outputs: { rows: t.int() }, run: () => ({ rows: 0 }) });
const deploy = component({ name: 'deploy', inputs: { model: t.Model() }, run: () => undefined });

pipeline({ name: 'typed-tune' }, (p) => {
  const study = p.tune(train, {
    inputs: { data: 'iris' },
    space: {
      lr: tune.logUniform(1e-4, 1e-1),
      units: tune.intRange(4, 64, { step: 4 }),
      act: tune.choice(['relu', 'tanh']),
      deep: tune.choice([true, false]),
      momentum: tune.uniform(0, 0.99, { when: { param: 'act', in: ['relu'] } }),
    },
    objective: { metric: 'accuracy', goal: 'maximize' },
    algorithm: 'tpe',
    maxTrials: 20,
    parallelTrials: 4,
  });
  const lr: ParamRef<'float'> = study.best.lr;
  const units: ParamRef<'int'> = study.best.units;
  void [lr, units, study.outputs.model, study.outputs.bestParams, study.outputs.trials];
  // @ts-expect-error the best value is a float, not a string
  const wrong: ParamRef<'string'> = study.outputs.bestValue;
  void wrong;
  // The trials Dataset feeds a Dataset input, and no other artifact type.
  const trialsTable: ArtifactRef<'Dataset'> = study.outputs.trialsDataset;
  p.task(summarize, { trials: study.outputs.trialsDataset });
  // @ts-expect-error ✗ input 'model' takes a Model artifact; the trials are a Dataset
  p.task(deploy, { model: study.outputs.trialsDataset });
  void trialsTable;

  // An int input takes an intRange or whole-number choices; a float input takes an intRange too.
  p.tune(train, { inputs: { data: 'x', act: 'relu' }, space: { units: tune.choice([8, 16]), lr: tune.intRange(1, 3) }, objective: { metric: 'accuracy', goal: 'maximize' }, maxTrials: 2 });

  p.tune(train, {
    inputs: { data: 'x', act: 'relu' },
    // @ts-expect-error ✗ search parameter 'units' draws floats but input 'units' is int
    space: { lr: tune.uniform(0, 1), units: tune.uniform(1, 10) },
    objective: { metric: 'accuracy', goal: 'maximize' },
    maxTrials: 2,
  });
  p.tune(train, {
    inputs: { data: 'x', act: 'relu' },
    // @ts-expect-error ✗ 'depth' is not an input of the trial component
    space: { lr: tune.uniform(0, 1), depth: tune.intRange(1, 3) },
    objective: { metric: 'accuracy', goal: 'maximize' },
    maxTrials: 2,
  });
  p.tune(train, {
    inputs: { data: 'x', lr: 0.1 },
    // @ts-expect-error ✗ the enum input takes 'relu' or 'tanh'
    space: { act: tune.choice(['relu', 'gelu']) },
    objective: { metric: 'accuracy', goal: 'maximize' },
    maxTrials: 2,
  });
  p.tune(train, {
    inputs: { data: 'x', act: 'relu' },
    // @ts-expect-error ✗ an int input takes whole numbers only
    space: { lr: tune.uniform(0, 1), units: tune.choice([8, 16.5]) },
    objective: { metric: 'accuracy', goal: 'maximize' },
    maxTrials: 2,
  });
  p.tune(train, {
    // @ts-expect-error ✗ a fixed input of the wrong type is a wiring error as in p.task
    inputs: { data: 3, act: 'relu' },
    space: { lr: tune.uniform(0, 1) },
    objective: { metric: 'accuracy', goal: 'maximize' },
    maxTrials: 2,
  });
  // @ts-expect-error ✗ logUniform needs a positive low bound
  tune.logUniform(0, 1);
  // @ts-expect-error an empty choice has nothing to try
  tune.choice([]);
  return { model: study.outputs.model };
});

// A nested pipeline returns its study's own outputs, typed: a float, a best parameter, a Dataset.
const inner = pipeline({ name: 'inner-study' }, (p) => {
  const s = p.tune(train, { inputs: { data: 'x', act: 'relu' }, space: { lr: tune.uniform(0, 1) }, objective: { metric: 'accuracy', goal: 'maximize' }, maxTrials: 2 });
  return { best: s.outputs.bestValue, lr: s.best.lr, trials: s.outputs.trialsDataset };
});
pipeline({ name: 'outer-study' }, (p) => {
  const sub = p.task(inner, {});
  const best: ParamRef<'float'> = sub.outputs.best;
  const table: ArtifactRef<'Dataset'> = sub.outputs.trials;
  p.task(summarize, { trials: sub.outputs.trials });
  // @ts-expect-error ✗ the nested study's trials are a Dataset, not a Model
  p.task(deploy, { model: sub.outputs.trials });
  void [best, table];
});

// A nested pipeline as the trial: the space is checked against the pipeline's inputs, the
// objective names the inner task that reports the metric, the best trial's outputs keep their types.
const trialPipeline = pipeline({ name: 'trial-pipeline', inputs: { lr: t.float(), units: t.int(), act: t.enum(['relu', 'tanh']) } }, (p) => {
  const m = p.task(train, { data: 'iris', lr: p.inputs.lr, units: p.inputs.units, act: p.inputs.act });
  return { model: m.outputs.model, accuracy: m.outputs.accuracy };
});
pipeline({ name: 'pipeline-trial' }, (p) => {
  const study = p.tune(trialPipeline, {
    inputs: { act: 'relu' },
    space: { lr: tune.logUniform(1e-4, 1e-1), units: tune.intRange(4, 64) },
    objective: { metric: 'accuracy', task: 'train', goal: 'maximize' },
    maxTrials: 8,
  });
  const units: ParamRef<'int'> = study.best.units;
  const table: ArtifactRef<'Dataset'> = study.outputs.trialsDataset;
  p.task(deploy, { model: study.outputs.model });
  // @ts-expect-error the best trial's accuracy is a float, not a Model
  p.task(deploy, { model: study.outputs.accuracy });
  void [units, table];

  p.tune(trialPipeline, {
    inputs: { act: 'relu' },
    // @ts-expect-error ✗ search parameter 'units' draws floats but input 'units' is int
    space: { lr: tune.uniform(0, 1), units: tune.uniform(1, 10) },
    objective: { metric: 'accuracy', task: 'train', goal: 'maximize' },
    maxTrials: 2,
  });
  p.tune(trialPipeline, {
    inputs: { act: 'relu', units: 3 },
    space: { lr: tune.uniform(0, 1) },
    // @ts-expect-error ✗ the trial is a nested pipeline: say which of its tasks reports the metric
    objective: { metric: 'accuracy', goal: 'maximize' },
    maxTrials: 2,
  });
  p.tune(train, {
    inputs: { data: 'x', act: 'relu' },
    space: { lr: tune.uniform(0, 1) },
    // @ts-expect-error ✗ the trial component reports the metric itself
    objective: { metric: 'accuracy', task: 'train', goal: 'maximize' },
    maxTrials: 2,
  });
});
