// category: foreign-handles
// expect: compile comes from pipeline "base"
import { approval, collect, component, eq, gt, ifRan, oneOf, pipeline, t } from 'sluice/dsl';
import { deploy, evaluate, load, notify, pick, split, train } from '../components';

import type { ParamRef } from 'sluice/dsl';
let lr: ParamRef<'float'> | undefined;
pipeline({ name: 'base', inputs: { lr: t.float({ default: 0.1 }) } }, (p) => {
  lr = p.inputs.lr;
  p.task(load, {});
});
export default pipeline({ name: 'c', inputs: { lr: t.float({ default: 0.5 }) } }, (p) => {
  const l = p.task(load, {});
  p.task(train, { data: l.outputs.data, lr: lr ?? 0.1 });
});
