// category: numeric-ranges
// expect: tsc ✗ retry.maxAttempts counts attempts
import { approval, collect, component, eq, gt, ifRan, oneOf, pipeline, t } from 'sluice/dsl';
import { deploy, evaluate, load, notify, pick, split, train } from '../components';

export default pipeline({ name: 'c' }, (p) => {
  p.task(load, {}, { retry: { maxAttempts: 0 } });
});
