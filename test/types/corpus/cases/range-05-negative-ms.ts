// category: numeric-ranges
// expect: tsc ✗ cache.maxAge must be a positive duration
import { approval, collect, component, eq, gt, ifRan, oneOf, pipeline, t } from 'sluice/dsl';
import { deploy, evaluate, load, notify, pick, split, train } from '../components';

export default pipeline({ name: 'c' }, (p) => {
  p.task(load, {}, { cache: { maxAge: -1000 } });
});
