// category: valid
// expect: valid
import { approval, collect, component, eq, gt, ifRan, oneOf, pipeline, t } from 'sluice/dsl';
import { deploy, evaluate, load, notify, pick, split, train } from '../components';

export default pipeline({ name: 'c' }, (p) => {
  const l = p.task(load, {});
  p.forEach([{ lr: 0.1, epochs: 5 }, { lr: 0.01, epochs: 20 }], (trial) =>
    p.task(train, { data: l.outputs.data, lr: trial.field('lr'), epochs: trial.field('epochs') }),
  );
});
