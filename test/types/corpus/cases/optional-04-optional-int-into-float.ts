// category: optional-into-required
// expect: tsc ✗ input 'lr' needs a value, but this is an int parameter that may be absent (an optional output or input, or a branch output): merge branches with oneOf(…), accept a skip with ifRan(…), or make the input optional
import { approval, collect, component, eq, gt, ifRan, oneOf, pipeline, t } from 'sluice/dsl';
import { deploy, evaluate, load, notify, pick, split, train } from '../components';

export default pipeline({ name: 'c', inputs: { rate: t.int({ optional: true }) } }, (p) => {
  const l = p.task(load, {});
  p.task(train, { data: l.outputs.data, lr: p.inputs.rate });
});
