// category: foreign-handles
// expect: compile comes from pipeline "other"
import { approval, collect, component, eq, gt, ifRan, oneOf, pipeline, t } from 'sluice/dsl';
import { deploy, evaluate, load, notify, pick, split, train } from '../components';

import type { ParamRef } from 'sluice/dsl';
let item: ParamRef<'float'> | undefined;
pipeline({ name: 'other' }, (p) => {
  const l = p.task(load, {});
  p.forEach([0.1, 0.2], (x) => {
    item = x;
    p.task(train, { data: l.outputs.data, lr: x });
  }, { id: 'for-each' });
});
export default pipeline({ name: 'c' }, (p) => {
  const l = p.task(load, {});
  p.forEach([0.3], () => {
    p.task(train, { data: l.outputs.data, lr: item ?? 0 });
  }, { id: 'for-each' });
});
