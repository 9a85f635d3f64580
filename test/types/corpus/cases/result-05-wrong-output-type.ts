// category: component-results
// expect: tsc Type 'string' is not assignable to type 'number'
import { approval, collect, component, eq, gt, ifRan, oneOf, pipeline, t } from 'sluice/dsl';
import { deploy, evaluate, load, notify, pick, split, train } from '../components';

export const c1 = component({
  name: 'c1',
  outputs: { loss: t.float() },
  run: () => ({ loss: 'low' }),
});
