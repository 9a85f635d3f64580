// category: valid
// expect: valid
import { approval, collect, component, eq, gt, ifRan, oneOf, pipeline, t } from 'sluice/dsl';
import { deploy, evaluate, load, notify, pick, split, train } from '../components';

export const c1 = component({
  name: 'c1',
  outputs: { model: t.Model(), loss: t.float(), note: t.string({ optional: true }) },
  run: async (_i, ctx) => {
    void ctx.outputs.model.path;
    return { loss: 0.1 };
  },
});
export const c2 = component({ name: 'c2', inputs: { x: t.int() }, run: () => undefined });
