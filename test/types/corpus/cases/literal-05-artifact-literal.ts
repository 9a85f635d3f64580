// category: literals
// expect: tsc ✗ input 'model' takes a Model artifact; this is '/models/latest'
import { approval, collect, component, eq, gt, ifRan, oneOf, pipeline, t } from 'sluice/dsl';
import { deploy, evaluate, load, notify, pick, split, train } from '../components';

export default pipeline({ name: 'c' }, (p) => {
  p.task(deploy, { model: '/models/latest' });
});
