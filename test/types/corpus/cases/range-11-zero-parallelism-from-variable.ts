// category: numeric-ranges
// expect: compile loop "for-each": parallelism must be a positive integer (got 0)
import { approval, collect, component, eq, gt, ifRan, oneOf, pipeline, t } from 'sluice/dsl';
import { deploy, evaluate, load, notify, pick, split, train } from '../components';

const n: number = 0;
export default pipeline({ name: 'c' }, (p) => {
  p.forEach([1, 2], () => p.task(load, {}), { parallelism: n });
});
