// category: branches
// expect: tsc ✗ input 'model' needs a value, but this is a Model artifact that may be absent (an optional output or input, or a branch output): merge branches with oneOf(…), accept a skip with ifRan(…), or make the input optional
import { approval, collect, component, eq, gt, ifRan, oneOf, pipeline, t } from 'sluice/dsl';
import { deploy, evaluate, load, notify, pick, split, train } from '../components';

export default pipeline({ name: 'c', inputs: { go: t.bool() } }, (p) => {
  const l = p.task(load, {});
  const chain = p.when(eq(p.inputs.go, true), () => p.task(train, { data: l.outputs.data, lr: 0.1 }));
  chain.else(() => p.task(deploy, { model: chain.branches[0].outputs.model }));
});
