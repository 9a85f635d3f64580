// category: branches
// expect: tsc ✗ gt() compares two numbers or two strings; this is a float parameter against 'high'
import { approval, collect, component, eq, gt, ifRan, oneOf, pipeline, t } from 'sluice/dsl';
import { deploy, evaluate, load, notify, pick, split, train } from '../components';

export default pipeline({ name: 'c' }, (p) => {
  const l = p.task(load, {});
  const tr = p.task(train, { data: l.outputs.data, lr: 0.1 });
  p.when(gt(tr.outputs.loss, 'high'), () => p.task(deploy, { model: tr.outputs.model }));
});
