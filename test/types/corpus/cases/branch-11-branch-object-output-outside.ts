// category: branches
// expect: tsc "maybe absent"
import { approval, collect, component, eq, gt, ifRan, oneOf, pipeline, t } from 'sluice/dsl';
import { deploy, evaluate, load, notify, pick, split, train } from '../components';

export default pipeline({ name: 'c', inputs: { go: t.bool() } }, (p) => {
  const l = p.task(load, {});
  const [out] = p.when(p.inputs.go, () => ({ model: p.task(train, { data: l.outputs.data, lr: 0.1 }).outputs.model })).branches;
  p.task(deploy, { model: out.model });
});
