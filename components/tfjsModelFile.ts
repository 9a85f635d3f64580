/**
 * Reads either TensorFlow.js model format of the built-in trainers (`sluice.tfjs-classifier` from
 * train-classifier / train-logistic-regression, `sluice.tfjs-regressor` from train-regressor),
 * telling them apart by their `format` field.
 */
import { CLASSIFIER_MODEL_FORMAT, parseClassifierModel, type ClassifierModelFile } from './classifierModel';
import { InvalidModelError } from './invalidModelError';
import { parseRegressorModel, REGRESSOR_MODEL_FORMAT, type RegressorModelFile } from './regressorModel';
import { readModelJson } from './tfjsModelFormat';

export type TfjsModelFile = { kind: 'classifier'; file: ClassifierModelFile } | { kind: 'regressor'; file: RegressorModelFile };

export async function readTfjsModelFile(path: string): Promise<TfjsModelFile> {
  const value = await readModelJson(path);
  const format = typeof value === 'object' && value !== null ? (value as { format?: unknown }).format : undefined;
  if (format === CLASSIFIER_MODEL_FORMAT) return { kind: 'classifier', file: parseClassifierModel(value, path) };
  if (format === REGRESSOR_MODEL_FORMAT) return { kind: 'regressor', file: parseRegressorModel(value, path) };
  throw new InvalidModelError(
    `model ${path}: format ${JSON.stringify(format)} is not a TensorFlow.js model of the built-in trainers (expected ${CLASSIFIER_MODEL_FORMAT} or ${REGRESSOR_MODEL_FORMAT})`,
  );
}
