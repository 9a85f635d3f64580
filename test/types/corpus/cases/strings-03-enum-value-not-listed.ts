// category: unchecked-strings
// expect: tsc ✗ input 'activation' takes one of 'relu', 'tanh', 'sigmoid'; this is 'gelu'
import { approval, collect, component, eq, gt, ifRan, oneOf, pipeline, t } from 'sluice/dsl';
import { deploy, evaluate, load, notify, pick, split, train } from '../components';

export default pipeline({ name: 'c' }, (p) => {
  const l = p.task(load, {});
  p.task(train, { data: l.outputs.data, lr: 0.1, activation: 'gelu' });
});
