// category: numeric-ranges
// expect: tsc ✗ timeout.heartbeat
import { approval, collect, component, eq, gt, ifRan, oneOf, pipeline, t } from 'sluice/dsl';
import { deploy, evaluate, load, notify, pick, split, train } from '../components';

export default pipeline({ name: 'c' }, (p) => {
  p.task(load, {}, { timeout: { heartbeat: -30 } });
});
