// category: wiring
// expect: tsc ✗ input 'data' takes a Dataset artifact; this is a Model artifact
import { approval, collect, component, eq, gt, ifRan, oneOf, pipeline, t } from 'sluice/dsl';
import { deploy, evaluate, load, notify, pick, split, train } from '../components';

export default pipeline({ name: 'c' }, (p) => {
  const l = p.task(load, {});
  const tr = p.task(train, { data: l.outputs.data, lr: 0.1 });
  p.task(split, { data: tr.outputs.model });
});
