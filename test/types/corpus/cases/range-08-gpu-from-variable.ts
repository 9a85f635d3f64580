// category: numeric-ranges
// expect: compile resources.gpu
import { approval, collect, component, eq, gt, ifRan, oneOf, pipeline, t } from 'sluice/dsl';
import { deploy, evaluate, load, notify, pick, split, train } from '../components';

const share: number = 0.5;
export default pipeline({ name: 'c' }, (p) => {
  p.task(load, {}, { resources: { gpu: share } });
});
