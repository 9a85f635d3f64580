// category: wiring
// expect: tsc ✗ input 'lr' takes a float parameter; this is a string parameter
import { approval, collect, component, eq, gt, ifRan, oneOf, pipeline, t } from 'sluice/dsl';
import { deploy, evaluate, load, notify, pick, split, train } from '../components';

export default pipeline({ name: 'c', inputs: { lr: t.string() } }, (p) => {
  const l = p.task(load, {});
  p.task(train, { data: l.outputs.data, lr: p.inputs.lr });
});
