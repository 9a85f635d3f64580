// category: tune
// expect: valid
import { pipeline, t, tune } from 'sluice/dsl';
import { deploy, load, train } from '../components';

const trial = pipeline({ name: 'trial', inputs: { lr: t.float(), epochs: t.int() } }, (p) => {
  const l = p.task(load, {});
  const m = p.task(train, { data: l.outputs.data, lr: p.inputs.lr, epochs: p.inputs.epochs });
  return { model: m.outputs.model };
});

export default pipeline({ name: 'c' }, (p) => {
  const s = p.tune(trial, { space: { lr: tune.logUniform(1e-4, 0.1), epochs: tune.intRange(1, 20) }, objective: { metric: 'loss', task: 'train', goal: 'minimize' }, maxTrials: 8 });
  p.task(deploy, { model: s.outputs.model });
  return { epochs: s.best.epochs, best: s.outputs.bestValue };
});
