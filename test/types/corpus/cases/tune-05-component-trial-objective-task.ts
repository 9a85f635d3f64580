// category: tune
// expect: tsc ✗ the trial component reports the metric itself
import { pipeline, tune } from 'sluice/dsl';
import { load, train } from '../components';

export default pipeline({ name: 'c' }, (p) => {
  const l = p.task(load, {});
  p.tune(train, { inputs: { data: l.outputs.data }, space: { lr: tune.logUniform(1e-4, 0.1) }, objective: { metric: 'loss', task: 'train', goal: 'minimize' }, maxTrials: 8 });
});
