// category: unchecked-strings
// expect: tsc ✗ input 'deadline' takes a duration such as '30s', '5m', '2h' or '1d'; this is '48'
import { approval, collect, component, eq, gt, ifRan, oneOf, pipeline, t } from 'sluice/dsl';
import { deploy, evaluate, load, notify, pick, split, train } from '../components';

export default pipeline({ name: 'c' }, (p) => {
  p.task(approval, { deadline: '48' });
});
