// category: literals
// expect: tsc Type 'string' is not assignable to type 'ArtifactRef<"Model", "always">'
import { approval, collect, component, eq, gt, ifRan, oneOf, pipeline, t } from 'sluice/dsl';
import { deploy, evaluate, load, notify, pick, split, train } from '../components';

export default pipeline({ name: 'c' }, (p) => {
  p.task(deploy, { model: '/models/latest' });
});
