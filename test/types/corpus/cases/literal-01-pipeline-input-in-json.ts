// category: literals
// expect: tsc ✗ input 'config' takes a json parameter; this is a literal holding a reference (a literal is fixed when the pipeline is defined): pass the reference itself to a port of its type
import { approval, collect, component, eq, gt, ifRan, oneOf, pipeline, t } from 'sluice/dsl';
import { deploy, evaluate, load, notify, pick, split, train } from '../components';

export default pipeline({ name: 'c', inputs: { lr: t.float({ default: 0.1 }) } }, (p) => {
  const l = p.task(load, {});
  p.task(train, { data: l.outputs.data, lr: 0.1, config: { lr: p.inputs.lr } });
});
