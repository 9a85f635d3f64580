// category: numeric-ranges
// expect: compile resources.gpu
import { approval, collect, component, eq, gt, ifRan, oneOf, pipeline, t } from 'sluice/dsl';
import { deploy, evaluate, load, notify, pick, split, train } from '../components';

export const c1 = component({ name: 'c1', resources: { gpu: 0.5 }, run: () => undefined });
export default pipeline({ name: 'c' }, (p) => {
  p.task(c1, {});
});
