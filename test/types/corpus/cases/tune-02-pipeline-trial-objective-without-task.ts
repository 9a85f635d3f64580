// category: tune
// expect: tsc ✗ the trial is a nested pipeline: say which of its tasks reports the metric
import { pipeline, t, tune } from 'sluice/dsl';
import { load, train } from '../components';

const trial = pipeline({ name: 'trial', inputs: { lr: t.float() } }, (p) => {
  const l = p.task(load, {});
  const m = p.task(train, { data: l.outputs.data, lr: p.inputs.lr });
  return { model: m.outputs.model };
});

export default pipeline({ name: 'c' }, (p) => {
  p.tune(trial, { space: { lr: tune.logUniform(1e-4, 0.1) }, objective: { metric: 'loss', goal: 'minimize' }, maxTrials: 8 });
});
