// category: unchecked-strings
// expect: compile port "activation": "gelu" is not one of relu, tanh, sigmoid
import { approval, collect, component, eq, gt, ifRan, oneOf, pipeline, t } from 'sluice/dsl';
import { deploy, evaluate, load, notify, pick, split, train } from '../components';

const act = 'gelu' as 'relu';
export default pipeline({ name: 'c' }, (p) => {
  const l = p.task(load, {});
  p.task(train, { data: l.outputs.data, lr: 0.1, activation: act });
});
