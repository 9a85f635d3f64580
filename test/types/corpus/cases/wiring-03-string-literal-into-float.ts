// category: wiring
// expect: tsc Type 'string' is not assignable to type 'number | ParamRef<"int" | "float", "always">'
import { approval, collect, component, eq, gt, ifRan, oneOf, pipeline, t } from 'sluice/dsl';
import { deploy, evaluate, load, notify, pick, split, train } from '../components';

export default pipeline({ name: 'c' }, (p) => {
  const l = p.task(load, {});
  p.task(train, { data: l.outputs.data, lr: 'fast' });
});
