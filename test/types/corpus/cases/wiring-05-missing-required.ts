// category: wiring
// expect: tsc ✗ required input 'lr' not set: connect an output or give a value
import { approval, collect, component, eq, gt, ifRan, oneOf, pipeline, t } from 'sluice/dsl';
import { deploy, evaluate, load, notify, pick, split, train } from '../components';

export default pipeline({ name: 'c' }, (p) => {
  const l = p.task(load, {});
  p.task(train, { data: l.outputs.data });
});
