/**
 * `sluice/components`: the built-in component library. Workers import components from here by
 * the `module`/`export` names each one records in its spec.
 */
export { loadIris, irisDataset, IRIS_COLUMNS } from './data/loadIris';
export { split, splitIndices } from './data/split';
export { loadCsv, parseCsv } from './data/loadCsv';
export type { CsvOptions } from './data/loadCsv';
export { loadJsonLines, parseJsonLines } from './data/loadJsonLines';
export type { JsonLinesOptions, ParsedJsonLines } from './data/loadJsonLines';
export { DEFAULT_MISSING_VALUES, inferJsonColumn, inferTextColumn } from './data/inferColumns';
export { DATA_ROOTS_SETTING, dataRoots, readSourceText, resolveSourcePath, SourceFileError, SourceFileOutsideRootsError } from './data/sourceFile';
export { computeStatistics } from './validate/computeStatistics';
export { datasetStatistics, InvalidStatisticsError, parseStatistics, readStatistics, STATISTICS_FORMAT } from './validate/statistics';
export type { CategorySummary, ColumnStatistics, NumericSummary, Statistics } from './validate/statistics';
export { inferSchema } from './validate/inferSchema';
export { InvalidSchemaError, parseSchema, readSchema, SCHEMA_FORMAT, schemaFromStatistics } from './validate/schema';
export type { Schema, SchemaColumn } from './validate/schema';
export { validateSchema, SchemaValidationError } from './validate/validateSchema';
export { anomalyReport, findAnomalies } from './validate/anomalies';
export type { Anomaly, AnomalyKind } from './validate/anomalies';
export { standardize } from './transform/standardize';
export { applyTransform } from './transform/applyTransform';
export { applyTransformTo, fitTransform, InvalidTransformError, parseTransform, readTransform, TRANSFORM_FORMAT } from './transform/transform';
export type { ScalingMethod, Transform } from './transform/transform';
export { driftCheck } from './drift/driftCheck';
export { kolmogorovSurvival, ksTwoSample, populationStabilityIndex } from './drift/driftStatistics';
export { columnValueType } from './dataset';
export type { ValueType } from './dataset';
export { trainClassifier } from './train/trainClassifier';
export { trainLogisticRegression } from './train/trainLogisticRegression';
export { trainRegressor } from './train/trainRegressor';
export { evaluateClassifier } from './evaluate/evaluateClassifier';
export { classificationMetrics, MAX_CURVE_POINTS } from './evaluate/classificationMetrics';
export { rocCurve } from './evaluate/rocCurve';
export type { RocCurve, RocPoint } from './evaluate/rocCurve';
export { precisionRecallCurve } from './evaluate/precisionRecallCurve';
export type { PrCurve, PrPoint } from './evaluate/precisionRecallCurve';
export { bless, BLESSING_METRICS, blessingReport } from './evaluate/blessing';
export type { Blessing, BlessingMetric } from './evaluate/blessing';
export { exportOnnx } from './export/exportOnnx';
export { batchInference } from './infer/batchInference';
export { InvalidOnnxModelError, readOnnxModel } from './onnxModelFile';
export type { OnnxModelInfo } from './onnxModelFile';
export { chooseProvider, createOrtSession, cudaAvailability, OrtProviderError } from './onnxRuntime';
export type { CudaAvailability, OrtProvider, OrtSession, ProviderChoice, ProviderPreference } from './onnxRuntime';
export { loadRegressorModel, readRegressorModel, REGRESSOR_MODEL_FORMAT } from './regressorModel';
export type { RegressorModelFile } from './regressorModel';
export { selectBest } from './select/selectBest';
export { registerModel } from './registry/registerModel';
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
export { CLASSIFIER_MODEL_FORMAT, loadClassifierModel, readClassifierModel } from './classifierModel';
export { InvalidModelError } from './invalidModelError';
export type { ClassifierModelFile } from './classifierModel';
export { loadTf } from './tfjsBackend';
export type { LoadedTf, Tf, TfBackend } from './tfjsBackend';
export { mulberry32, permutation } from './random';
export { runNotebook, DATASET_PARAMETERS } from './notebook/runNotebook';
export { NOTEBOOK_PYTHON_SETTING, notebookPython } from './notebook/notebookPython';
export {
  InvalidNotebookError,
  NotebookCancelledError,
  NotebookCellError,
  NotebookFailedError,
  NotebookPythonNotFoundError,
  NotebookToolsMissingError,
} from './notebook/notebookErrors';
