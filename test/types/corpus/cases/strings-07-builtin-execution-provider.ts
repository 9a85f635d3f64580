// category: unchecked-strings
// expect: tsc ✗ input 'executionProvider' takes one of 'cpu', 'auto', 'cuda'; this is 'gpu'
import { approval, collect, component, eq, gt, ifRan, oneOf, pipeline, t } from 'sluice/dsl';
import { deploy, evaluate, load, notify, pick, split, train } from '../components';

import { batchInference, exportOnnx, loadIris, trainClassifier } from 'sluice/components';
export default pipeline({ name: 'c' }, (p) => {
  const d = p.task(loadIris, {});
  const tr = p.task(trainClassifier, { train: d.outputs.dataset });
  const onnx = p.task(exportOnnx, { model: tr.outputs.model, data: d.outputs.dataset });
  p.task(batchInference, { model: onnx.outputs.onnx, data: d.outputs.dataset, executionProvider: 'gpu' });
});
