// category: branches
// expect: compile never runs when
import { approval, collect, component, eq, gt, ifRan, oneOf, pipeline, t } from 'sluice/dsl';
import { deploy, evaluate, load, notify, pick, split, train } from '../components';

import type { TaskHandle } from 'sluice/dsl';
export default pipeline({ name: 'c', inputs: { go: t.bool() } }, (p) => {
  const l = p.task(load, {});
  let trained: TaskHandle<(typeof train extends { spec: unknown } ? never : never)> | undefined;
  const first = { model: p.task(train, { data: l.outputs.data, lr: 0.3 }, { id: 'warm' }).outputs.model };
  let handle = first;
  p.when(eq(p.inputs.go, true), () => {
    handle = { model: p.task(train, { data: l.outputs.data, lr: 0.1 }, { id: 'then-train' }).outputs.model };
  }).else(() => {
    p.task(deploy, { model: handle.model }, { id: 'else-deploy' });
  });
  void trained;
});
