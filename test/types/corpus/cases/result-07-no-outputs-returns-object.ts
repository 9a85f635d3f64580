// category: component-results
// expect: tsc Type 'number' is not assignable to type 'never'
import { approval, collect, component, eq, gt, ifRan, oneOf, pipeline, t } from 'sluice/dsl';
import { deploy, evaluate, load, notify, pick, split, train } from '../components';

export const c1 = component({
  name: 'c1',
  inputs: { x: t.int() },
  run: ({ x }) => ({ doubled: x * 2 }),
});
