// category: valid
// expect: valid
import { approval, collect, component, eq, gt, ifRan, oneOf, pipeline, t } from 'sluice/dsl';
import { deploy, evaluate, load, notify, pick, split, train } from '../components';

export default pipeline({ name: 'c', inputs: { grid: t.list(t.json()) } }, (p) => {
  const l = p.task(load, {});
  p.forEach(p.inputs.grid, (trial) => p.task(train, { data: l.outputs.data, lr: trial.field('lr', 'float') }));
});
