// category: numeric-ranges
// expect: tsc ✗ minSuccessRatio is a share of the items
import { approval, collect, component, eq, gt, ifRan, oneOf, pipeline, t } from 'sluice/dsl';
import { deploy, evaluate, load, notify, pick, split, train } from '../components';

export default pipeline({ name: 'c' }, (p) => {
  p.forEach([1, 2], () => p.task(load, {}), { minSuccessRatio: 80 });
});
