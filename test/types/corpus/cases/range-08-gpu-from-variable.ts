// category: numeric-ranges
// expect: compile task "load": resources.gpu takes a whole number of GPUs (0, 1, 2 …); got 0.5
import { approval, collect, component, eq, gt, ifRan, oneOf, pipeline, t } from 'sluice/dsl';
import { deploy, evaluate, load, notify, pick, split, train } from '../components';

const share: number = 0.5;
export default pipeline({ name: 'c' }, (p) => {
  p.task(load, {}, { resources: { gpu: share } });
});
