// category: branches
// expect: tsc ✗ eq() compares two numbers, two strings or two booleans (or a json parameter with anything); this is a Dataset artifact against 1: compare a parameter output of the task (a score, a count) instead
import { approval, collect, component, eq, gt, ifRan, oneOf, pipeline, t } from 'sluice/dsl';
import { deploy, evaluate, load, notify, pick, split, train } from '../components';

export default pipeline({ name: 'c' }, (p) => {
  const l = p.task(load, {});
  p.when(eq(l.outputs.data, 1), () => p.task(load, {}, { id: 'again' }));
});
