// category: valid
// expect: valid
import { approval, collect, component, eq, gt, ifRan, oneOf, pipeline, t } from 'sluice/dsl';
import { deploy, evaluate, load, notify, pick, split, train } from '../components';

export default pipeline({ name: 'c' }, (p) => {
  const l = p.task(load, {});
  p.task(train, { data: l.outputs.data, lr: 0.1, activation: 'tanh' }, { timeout: { attempt: '30m' }, retry: { maxAttempts: 3 }, resources: { gpu: 1 } });
  p.task(approval, { deadline: '2d' });
});
