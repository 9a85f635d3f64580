/**
 * `sluice/components`: the built-in component library. Workers import components from here by
 * the `module`/`export` names each one records in its spec.
 */
export { loadIris, irisDataset, IRIS_COLUMNS } from './data/loadIris';
export { split, splitIndices } from './data/split';
export { trainClassifier } from './train/trainClassifier';
export { evaluateClassifier } from './evaluate/evaluateClassifier';
export { classificationMetrics } from './evaluate/classificationMetrics';
export { selectBest } from './select/selectBest';
export type { ClassificationMetrics, ClassMetrics } from './evaluate/classificationMetrics';
export {
  columnIndex,
  datasetProperties,
  InvalidDatasetError,
  numberMatrix,
  parseDataset,
  readDataset,
  writeDataset,
} from './dataset';
export type { ColumnType, Dataset, DatasetCell, DatasetColumn } from './dataset';
export {
  CLASSIFIER_MODEL_FORMAT,
  InvalidModelError,
  loadClassifierModel,
  readClassifierModel,
} from './classifierModel';
export type { ClassifierModelFile } from './classifierModel';
export { loadTf } from './tfjsBackend';
export type { LoadedTf, Tf, TfBackend } from './tfjsBackend';
export { mulberry32, permutation } from './random';
