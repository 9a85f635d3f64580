// category: unchecked-strings
// expect: tsc ✗ input 'metric' takes one of 'accuracy', 'f1-macro'; this is 'f1'
import { approval, collect, component, eq, gt, ifRan, oneOf, pipeline, t } from 'sluice/dsl';
import { deploy, evaluate, load, notify, pick, split, train } from '../components';

export default pipeline({ name: 'c' }, (p) => {
  const l = p.task(load, {});
  const tr = p.task(train, { data: l.outputs.data, lr: 0.1 });
  p.task(evaluate, { model: tr.outputs.model, test: l.outputs.data, metric: 'f1' });
});
