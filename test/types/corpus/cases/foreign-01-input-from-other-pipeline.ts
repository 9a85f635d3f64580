// category: foreign-handles
// expect: compile comes from pipeline "other"
import { pipeline } from 'sluice/dsl';
import { load, split } from '../components';

// A handle kept from another pipeline whose task has the same id as a local one.
let kept: { outputs: { data: ReturnType<typeof pickData> } } | undefined;
function pickData<T>(x: T): T {
  return x;
}
pipeline({ name: 'other' }, (p) => {
  const l = p.task(load, {}, { id: 'load' });
  kept = { outputs: { data: pickData(l.outputs.data) } } as never;
});
const other = p0();
function p0() {
  return kept;
}
export default pipeline({ name: 'c' }, (p) => {
  p.task(load, {}, { id: 'load' });
  if (other) p.task(split, { data: other.outputs.data as never });
});
