// category: branches
// expect: tsc Argument of type 'ParamRef<"string", "always">' is not assignable to parameter of type 'WhenCondition'
import { approval, collect, component, eq, gt, ifRan, oneOf, pipeline, t } from 'sluice/dsl';
import { deploy, evaluate, load, notify, pick, split, train } from '../components';

export default pipeline({ name: 'c', inputs: { mode: t.string() } }, (p) => {
  p.when(p.inputs.mode, () => p.task(load, {}));
});
