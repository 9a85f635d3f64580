// category: loop-items
// expect: tsc ✗ input 'epochs' takes an int parameter; this is a float parameter
import { approval, collect, component, eq, gt, ifRan, oneOf, pipeline, t } from 'sluice/dsl';
import { deploy, evaluate, load, notify, pick, split, train } from '../components';

export default pipeline({ name: 'c' }, (p) => {
  const l = p.task(load, {});
  p.forEach([{ lr: 0.1, units: 8.5 }], (trial) => {
    p.task(train, { data: l.outputs.data, lr: trial.field('lr'), epochs: trial.field('units') });
  });
});
