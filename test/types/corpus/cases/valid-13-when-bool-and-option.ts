// category: valid
// expect: valid
import { approval, collect, component, eq, gt, ifRan, oneOf, pipeline, t } from 'sluice/dsl';
import { deploy, evaluate, load, notify, pick, split, train } from '../components';

export default pipeline({ name: 'c', inputs: { go: t.bool(), limit: t.float({ default: 0.5 }) } }, (p) => {
  const l = p.task(load, {});
  const tr = p.task(train, { data: l.outputs.data, lr: 0.1 });
  p.task(deploy, { model: tr.outputs.model }, { when: gt(tr.outputs.loss, p.inputs.limit) });
  p.when(p.inputs.go, () => p.task(notify, { message: 'go' }));
});
