// category: branches
// expect: compile port "model": oneOf(): output "model" of task "a" and output "model" of task "b" run under the same condition
import { approval, collect, component, eq, gt, ifRan, oneOf, pipeline, t } from 'sluice/dsl';
import { deploy, evaluate, load, notify, pick, split, train } from '../components';

export default pipeline({ name: 'c', inputs: { go: t.bool() } }, (p) => {
  const l = p.task(load, {});
  const [both] = p.when(eq(p.inputs.go, true), () => ({
    a: p.task(train, { data: l.outputs.data, lr: 0.1 }, { id: 'a' }).outputs.model,
    b: p.task(train, { data: l.outputs.data, lr: 0.2 }, { id: 'b' }).outputs.model,
  })).branches;
  p.task(deploy, { model: oneOf(both.a, both.b) });
});
