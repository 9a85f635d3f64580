// category: foreign-handles
// expect: compile comes from pipeline "other"
import { approval, collect, component, eq, gt, ifRan, oneOf, pipeline, t } from 'sluice/dsl';
import { deploy, evaluate, load, notify, pick, split, train } from '../components';

import type { ParamRef } from 'sluice/dsl';
let go: ParamRef<'bool'> | undefined;
pipeline({ name: 'other', inputs: { go: t.bool() } }, (p) => {
  go = p.inputs.go;
  p.task(load, {});
});
export default pipeline({ name: 'c', inputs: { go: t.bool() } }, (p) => {
  if (go) p.when(go, () => p.task(load, {}));
});
