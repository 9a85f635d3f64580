// category: valid
// expect: valid
import { approval, collect, component, eq, gt, ifRan, oneOf, pipeline, t } from 'sluice/dsl';
import { deploy, evaluate, load, notify, pick, split, train } from '../components';

export default pipeline({ name: 'c', inputs: { go: t.bool(), fallback: t.string({ default: 'none' }) } }, (p) => {
  const [d] = p.when(p.inputs.go, () => p.task(notify, { message: 'x' }) && p.task(deploy, { model: p.task(train, { data: p.task(load, {}).outputs.data, lr: 0.1 }).outputs.model })).branches;
  p.task(notify, { message: oneOf(d.outputs.url, p.inputs.fallback) }, { id: 'tell' });
});
