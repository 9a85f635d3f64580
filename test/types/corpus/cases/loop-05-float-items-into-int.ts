// category: loop-items
// expect: tsc ✗ input 'shard' takes an int parameter; this is a float parameter
import { approval, collect, component, eq, gt, ifRan, oneOf, pipeline, t } from 'sluice/dsl';
import { deploy, evaluate, load, notify, pick, split, train } from '../components';

export default pipeline({ name: 'c' }, (p) => {
  const l = p.task(load, {});
  p.forEach([0.5, 1.5], (x) => {
    p.task(train, { data: l.outputs.data, lr: 0.1, shard: x });
  });
});
