// category: branches
// expect: tsc ✗ oneOf() takes the first option whose task ran; option 1 always has a value, so the options after it would never be chosen: pass branch outputs (p.when(…).else(…).branches), an always-present fallback last
import { approval, collect, component, eq, gt, ifRan, oneOf, pipeline, t } from 'sluice/dsl';
import { deploy, evaluate, load, notify, pick, split, train } from '../components';

export default pipeline({ name: 'c' }, (p) => {
  const l = p.task(load, {});
  const a = p.task(train, { data: l.outputs.data, lr: 0.1 }, { id: 'a' });
  const b = p.task(train, { data: l.outputs.data, lr: 0.2 }, { id: 'b' });
  p.task(deploy, { model: oneOf(a.outputs.model, b.outputs.model) });
});
