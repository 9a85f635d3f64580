// category: loop-items
// expect: tsc ✗ input 'lr' takes a float parameter; this is a json parameter
import { approval, collect, component, eq, gt, ifRan, oneOf, pipeline, t } from 'sluice/dsl';
import { deploy, evaluate, load, notify, pick, split, train } from '../components';

export default pipeline({ name: 'c' }, (p) => {
  const l = p.task(load, {});
  p.forEach([{ lr: 0.1 }, { lr: 'fast' }], (trial) => {
    p.task(train, { data: l.outputs.data, lr: trial.field('lr') });
  });
});
