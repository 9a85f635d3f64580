// category: valid
// expect: valid
import { approval, collect, component, eq, gt, ifRan, oneOf, pipeline, t } from 'sluice/dsl';
import { deploy, evaluate, load, notify, pick, split, train } from '../components';

export default pipeline({ name: 'c', inputs: { note: t.string({ optional: true }) } }, (p) => {
  const l = p.task(load, {});
  const tr = p.task(train, { data: l.outputs.data, lr: 0.1 });
  p.task(deploy, { model: tr.outputs.model, note: tr.outputs.warning });
  p.task(deploy, { model: tr.outputs.model, note: p.inputs.note }, { id: 'again' });
});
