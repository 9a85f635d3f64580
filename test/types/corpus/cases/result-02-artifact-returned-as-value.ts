// category: component-results
// expect: tsc as a value; write the file at ctx.outputs.model.path instead
import { approval, collect, component, eq, gt, ifRan, oneOf, pipeline, t } from 'sluice/dsl';
import { deploy, evaluate, load, notify, pick, split, train } from '../components';

export const c1 = component({
  name: 'c1',
  outputs: { model: t.Model(), loss: t.float() },
  run: () => ({ loss: 0.1, model: '/tmp/model.json' }),
});
