// category: wiring
// expect: tsc ✗ input 'model' takes a Model artifact; this is a Dataset artifact
import { approval, collect, component, eq, gt, ifRan, oneOf, pipeline, t } from 'sluice/dsl';
import { deploy, evaluate, load, notify, pick, split, train } from '../components';

export default pipeline({ name: 'c' }, (p) => {
  const l = p.task(load, {});
  p.task(deploy, { model: l.outputs.data });
});
