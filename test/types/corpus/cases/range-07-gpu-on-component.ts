// category: numeric-ranges
// expect: compile component "c1": resources.gpu takes a whole number of GPUs (0, 1, 2 …); got 0.5
import { approval, collect, component, eq, gt, ifRan, oneOf, pipeline, t } from 'sluice/dsl';
import { deploy, evaluate, load, notify, pick, split, train } from '../components';

export const c1 = component({ name: 'c1', resources: { gpu: 0.5 }, run: () => undefined });
export default pipeline({ name: 'c' }, (p) => {
  p.task(c1, {});
});
