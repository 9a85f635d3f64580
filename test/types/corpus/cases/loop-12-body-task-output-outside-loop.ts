// category: loop-items
// expect: compile runs inside loop
import { approval, collect, component, eq, gt, ifRan, oneOf, pipeline, t } from 'sluice/dsl';
import { deploy, evaluate, load, notify, pick, split, train } from '../components';

export default pipeline({ name: 'c' }, (p) => {
  const l = p.task(load, {});
  let inner = p.task(train, { data: l.outputs.data, lr: 0.1 }, { id: 'first' });
  p.forEach([0.1, 0.01], (lr) => {
    inner = p.task(train, { data: l.outputs.data, lr }, { id: 'inner' });
  });
  p.task(deploy, { model: inner.outputs.model });
});
