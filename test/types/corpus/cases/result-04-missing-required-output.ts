// category: component-results
// expect: tsc Type '{ steps: number; }' is not assignable to type 'ParamOutputs<
import { approval, collect, component, eq, gt, ifRan, oneOf, pipeline, t } from 'sluice/dsl';
import { deploy, evaluate, load, notify, pick, split, train } from '../components';

export const c1 = component({
  name: 'c1',
  outputs: { loss: t.float(), steps: t.int() },
  run: () => ({ steps: 3 }),
});
