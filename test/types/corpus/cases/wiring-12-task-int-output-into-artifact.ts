// category: wiring
// expect: tsc ✗ input 'data' takes a Dataset artifact; this is an int parameter
import { pipeline } from 'sluice/dsl';
import { load, train } from '../components';

export default pipeline({ name: 'c' }, (p) => {
  const data = p.task(load, {});
  p.task(train, { data: data.outputs.rows, lr: 0.1 });
});
