// category: branches
// expect: tsc No overload matches this call
import { approval, collect, component, eq, gt, ifRan, oneOf, pipeline, t } from 'sluice/dsl';
import { deploy, evaluate, load, notify, pick, split, train } from '../components';

export default pipeline({ name: 'c' }, (p) => {
  const l = p.task(load, {});
  p.when(eq(l.outputs.data, 1), () => p.task(load, {}, { id: 'again' }));
});
