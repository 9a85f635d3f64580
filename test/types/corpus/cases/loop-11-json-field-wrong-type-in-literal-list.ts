// category: loop-items
// expect: compile port "lr": the item of loop "for-each".lr: parameter type json does not match float
import { approval, collect, component, eq, gt, ifRan, oneOf, pipeline, t } from 'sluice/dsl';
import { deploy, evaluate, load, notify, pick, split, train } from '../components';

const lrs: { lr: number | string }[] = [{ lr: 0.1 }, { lr: 'fast' }];
const items = lrs as { lr: number }[];
export default pipeline({ name: 'c', inputs: { grid: t.list(t.json()) } }, (p) => {
  const l = p.task(load, {});
  p.forEach(items, (trial) => {
    p.task(train, { data: l.outputs.data, lr: trial.field('lr') });
  });
});
