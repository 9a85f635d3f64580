// category: branches
// expect: tsc ✗ input 'model' takes a Model artifact; this is a Model or Metrics artifact
import { approval, collect, component, eq, gt, ifRan, oneOf, pipeline, t } from 'sluice/dsl';
import { deploy, evaluate, load, notify, pick, split, train } from '../components';

export default pipeline({ name: 'c', inputs: { go: t.bool() } }, (p) => {
  const l = p.task(load, {});
  const [a, b] = p.when(eq(p.inputs.go, true), () => p.task(train, { data: l.outputs.data, lr: 0.1 })).else(() => p.task(evaluate, { model: p.task(train, { data: l.outputs.data, lr: 0.1 }, { id: 't2' }).outputs.model, test: l.outputs.data })).branches;
  p.task(deploy, { model: oneOf(a.outputs.model, b.outputs.metrics) });
});
