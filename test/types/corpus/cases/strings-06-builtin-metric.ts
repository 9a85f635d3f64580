// category: unchecked-strings
// expect: tsc ✗ input 'metric' takes one of 'accuracy', 'macroF1', 'macroPrecision', 'macroRecall', 'rocAuc'; this is 'f1'
import { approval, collect, component, eq, gt, ifRan, oneOf, pipeline, t } from 'sluice/dsl';
import { deploy, evaluate, load, notify, pick, split, train } from '../components';

import { evaluateClassifier, loadIris, trainClassifier } from 'sluice/components';
export default pipeline({ name: 'c' }, (p) => {
  const d = p.task(loadIris, {});
  const tr = p.task(trainClassifier, { train: d.outputs.dataset });
  p.task(evaluateClassifier, { model: tr.outputs.model, test: d.outputs.dataset, metric: 'f1' });
});
