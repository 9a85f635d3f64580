// category: optional-into-required
// expect: tsc "maybe absent"
import { approval, collect, component, eq, gt, ifRan, oneOf, pipeline, t } from 'sluice/dsl';
import { deploy, evaluate, load, notify, pick, split, train } from '../components';

export default pipeline({ name: 'c', inputs: { data: t.Dataset({ optional: true }) } }, (p) => {
  p.task(train, { data: p.inputs.data, lr: 0.1 });
});
