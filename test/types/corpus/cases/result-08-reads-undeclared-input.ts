// category: component-results
// expect: tsc Property 'epochs' does not exist
import { approval, collect, component, eq, gt, ifRan, oneOf, pipeline, t } from 'sluice/dsl';
import { deploy, evaluate, load, notify, pick, split, train } from '../components';

export const c1 = component({
  name: 'c1',
  inputs: { lr: t.float() },
  outputs: { loss: t.float() },
  run: (inputs) => ({ loss: inputs.lr * inputs.epochs }),
});
