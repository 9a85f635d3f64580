// category: loop-items
// expect: tsc Property 'field' does not exist
import { approval, collect, component, eq, gt, ifRan, oneOf, pipeline, t } from 'sluice/dsl';
import { deploy, evaluate, load, notify, pick, split, train } from '../components';

export default pipeline({ name: 'c', inputs: { lrs: t.list(t.float()) } }, (p) => {
  const l = p.task(load, {});
  p.forEach(p.inputs.lrs, (lr) => {
    p.task(train, { data: l.outputs.data, lr: lr.field('value', 'float') });
  });
});
