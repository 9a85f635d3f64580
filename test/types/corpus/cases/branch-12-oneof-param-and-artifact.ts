// category: branches
// expect: tsc ✗ oneOf() merges options of one kind; option 2 is a parameter and option 1 is not
import { approval, collect, component, eq, gt, ifRan, oneOf, pipeline, t } from 'sluice/dsl';
import { deploy, evaluate, load, notify, pick, split, train } from '../components';

export default pipeline({ name: 'c', inputs: { go: t.bool() } }, (p) => {
  const l = p.task(load, {});
  const { branches } = p.when(p.inputs.go, () => p.task(train, { data: l.outputs.data, lr: 0.1 }, { id: 'a' })).else(() => p.task(train, { data: l.outputs.data, lr: 0.2 }, { id: 'b' }));
  p.task(deploy, { model: oneOf(branches[0].outputs.model, branches[1].outputs.loss) });
});
