// category: literals
// expect: tsc Record<string, PipelineOutputRef>
import { approval, collect, component, eq, gt, ifRan, oneOf, pipeline, t } from 'sluice/dsl';
import { deploy, evaluate, load, notify, pick, split, train } from '../components';

export default pipeline({ name: 'c' }, (p) => {
  p.task(load, {});
  return { answer: 42 };
});
