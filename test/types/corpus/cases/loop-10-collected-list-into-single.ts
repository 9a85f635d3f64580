// category: loop-items
// expect: tsc ✗ input 'model' takes a Model artifact; this is a list of Model artifacts
import { approval, collect, component, eq, gt, ifRan, oneOf, pipeline, t } from 'sluice/dsl';
import { deploy, evaluate, load, notify, pick, split, train } from '../components';

export default pipeline({ name: 'c' }, (p) => {
  const l = p.task(load, {});
  const sweep = p.forEach([0.1, 0.01], (lr) => ({ model: p.task(train, { data: l.outputs.data, lr }).outputs.model }));
  p.task(deploy, { model: collect(sweep.outputs.model) });
});
