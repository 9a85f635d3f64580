// category: component-results
// expect: tsc Property 'loss' does not exist
import { approval, collect, component, eq, gt, ifRan, oneOf, pipeline, t } from 'sluice/dsl';
import { deploy, evaluate, load, notify, pick, split, train } from '../components';

export const c1 = component({
  name: 'c1',
  outputs: { loss: t.float() },
  run: (_i, ctx) => ({ loss: ctx.outputs.loss.path.length }),
});
