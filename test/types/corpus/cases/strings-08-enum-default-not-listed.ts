// category: unchecked-strings
// expect: tsc "swish"
import { approval, collect, component, eq, gt, ifRan, oneOf, pipeline, t } from 'sluice/dsl';
import { deploy, evaluate, load, notify, pick, split, train } from '../components';

export const c1 = component({
  name: 'c1',
  inputs: { act: t.enum(['relu', 'tanh'], { default: 'swish' }) },
  run: () => undefined,
});
