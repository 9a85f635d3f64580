// category: unchecked-strings
// expect: tsc ✗ input 'activation' takes one of 'relu', 'tanh', 'sigmoid'; this is 'gelu'
import { approval, collect, component, eq, gt, ifRan, oneOf, pipeline, t } from 'sluice/dsl';
import { deploy, evaluate, load, notify, pick, split, train } from '../components';

import { loadIris, trainClassifier } from 'sluice/components';
export default pipeline({ name: 'c' }, (p) => {
  const d = p.task(loadIris, {});
  p.task(trainClassifier, { train: d.outputs.dataset, activation: 'gelu' });
});
