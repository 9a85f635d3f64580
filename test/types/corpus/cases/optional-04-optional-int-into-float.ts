// category: optional-into-required
// expect: tsc "maybe absent"
import { approval, collect, component, eq, gt, ifRan, oneOf, pipeline, t } from 'sluice/dsl';
import { deploy, evaluate, load, notify, pick, split, train } from '../components';

export default pipeline({ name: 'c', inputs: { rate: t.int({ optional: true }) } }, (p) => {
  const l = p.task(load, {});
  p.task(train, { data: l.outputs.data, lr: p.inputs.rate });
});
