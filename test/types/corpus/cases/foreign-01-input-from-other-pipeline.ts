// category: foreign-handles
// expect: compile comes from pipeline "other"
import { approval, collect, component, eq, gt, ifRan, oneOf, pipeline, t } from 'sluice/dsl';
import { deploy, evaluate, load, notify, pick, split, train } from '../components';

let leaked: ReturnType<typeof load.run> | undefined;
const other = pipeline({ name: 'other' }, (p) => {
  const l = p.task(load, {}, { id: 'load' });
  (globalThis as { leak?: unknown }).leak = l;
  return { data: l.outputs.data };
});
void other; void leaked;
type H = { outputs: { data: never } };
export default pipeline({ name: 'c' }, (p) => {
  p.task(load, {}, { id: 'load' });
  const l = (globalThis as { leak?: unknown }).leak as H & { outputs: { data: never } };
  p.task(split, { data: l.outputs.data });
});
