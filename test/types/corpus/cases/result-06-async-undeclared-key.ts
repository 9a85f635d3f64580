// category: component-results
// expect: tsc which is not a parameter output of this component; declare it in outputs or drop it
import { approval, collect, component, eq, gt, ifRan, oneOf, pipeline, t } from 'sluice/dsl';
import { deploy, evaluate, load, notify, pick, split, train } from '../components';

export const c1 = component({
  name: 'c1',
  outputs: { loss: t.float() },
  run: async () => ({ loss: 0.1, acc: 1 }),
});
