// category: foreign-handles
// expect: compile comes from pipeline "other"
import { approval, collect, component, eq, gt, ifRan, oneOf, pipeline, t } from 'sluice/dsl';
import { deploy, evaluate, load, notify, pick, split, train } from '../components';

import type { NodeHandle } from 'sluice/dsl';
let gate: NodeHandle | undefined;
pipeline({ name: 'other' }, (p) => {
  gate = p.task(load, {}, { id: 'load' });
});
export default pipeline({ name: 'c' }, (p) => {
  p.task(load, {}, { id: 'load' });
  p.task(load, {}, { id: 'after-load', after: gate ? [gate] : [] });
});
