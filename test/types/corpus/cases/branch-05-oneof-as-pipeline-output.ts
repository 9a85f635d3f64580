// category: branches
// expect: tsc Record<string, PipelineOutputRef>
import { approval, collect, component, eq, gt, ifRan, oneOf, pipeline, t } from 'sluice/dsl';
import { deploy, evaluate, load, notify, pick, split, train } from '../components';

export default pipeline({ name: 'c', inputs: { go: t.bool() } }, (p) => {
  const l = p.task(load, {});
  const [a, b] = p
    .when(eq(p.inputs.go, true), () => p.task(train, { data: l.outputs.data, lr: 0.1 }, { id: 'a' }))
    .else(() => p.task(train, { data: l.outputs.data, lr: 0.2 }, { id: 'b' })).branches;
  return { model: oneOf(a.outputs.model, b.outputs.model) };
});
