// category: valid
// expect: valid
import { approval, collect, component, eq, gt, ifRan, oneOf, pipeline, t } from 'sluice/dsl';
import { deploy, evaluate, load, notify, pick, split, train } from '../components';

export default pipeline({ name: 'c' }, (p) => {
  const l = p.task(load, {});
  p.forEach([0, 1, 2, 3, 4], (fold) => p.task(train, { data: l.outputs.data, lr: 0.1, shard: fold }));
});
