// category: branches
// expect: compile port "model": reads output "model" of task "then-train", which never runs when this task runs
import { eq, pipeline, t } from 'sluice/dsl';
import { deploy, load, train } from '../components';

// The then-branch stores its model in an outer variable; the else-branch reads it.
export default pipeline({ name: 'c', inputs: { go: t.bool() } }, (p) => {
  const l = p.task(load, {});
  let handle = { model: p.task(train, { data: l.outputs.data, lr: 0.3 }, { id: 'warm' }).outputs.model };
  p.when(eq(p.inputs.go, true), () => {
    handle = { model: p.task(train, { data: l.outputs.data, lr: 0.1 }, { id: 'then-train' }).outputs.model };
  }).else(() => {
    p.task(deploy, { model: handle.model }, { id: 'else-deploy' });
  });
});
