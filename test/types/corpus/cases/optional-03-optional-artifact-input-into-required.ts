// category: optional-into-required
// expect: tsc ✗ input 'data' needs a value, but this is a Dataset artifact that may be absent (an optional output or input, or a branch output): merge branches with oneOf(…), accept a skip with ifRan(…), or make the input optional
import { approval, collect, component, eq, gt, ifRan, oneOf, pipeline, t } from 'sluice/dsl';
import { deploy, evaluate, load, notify, pick, split, train } from '../components';

export default pipeline({ name: 'c', inputs: { data: t.Dataset({ optional: true }) } }, (p) => {
  p.task(train, { data: p.inputs.data, lr: 0.1 });
});
