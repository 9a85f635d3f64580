/**
 * The `Model` artifact format of `train-classifier` and `train-logistic-regression`: ONE JSON file
 * holding everything needed to predict — the TensorFlow.js topology and weights (base64), the
 * feature columns and their standardisation, and the class labels — so a model is one
 * content-addressed blob.
 *
 * ```json
 * {
 *   "format": "sluice.tfjs-classifier", "formatVersion": 1,
 *   "framework": "tensorflow.js", "tfjsVersion": "4.22.0", "backend": "cpu",
 *   "features": ["sepal_length", …], "target": "species", "classes": ["setosa", …],
 *   "normalization": { "mean": [...], "std": [...] },
 *   "params": { "modelType": "dense-classifier", "hiddenLayers": [16], "activation": "relu", … },
 *   "tfjs": { "modelTopology": {…}, "weightSpecs": [...], "weightData": "<base64>" }
 * }
 * ```
 * Features are standardised as `(x - mean) / std` before they reach the network; the network is a
 * Sequential stack of Dense layers ending in a softmax over `classes` (in that order).
 */
import type { Json } from 'sluice/dsl';
import { z } from 'zod';
import type { Standardization } from './standardization';
import { finiteNumber, jsonValue, tfjsLayersJsonSchema } from './tfjsLayersJson';
import type { TfBackend } from './tfjsBackend';
import { tfjsModelFormat, tfjsModelHeaderFields, type TfjsModelFileOf } from './tfjsModelFormat';

export { fitStandardization, standardize, type Standardization } from './standardization';

export const CLASSIFIER_MODEL_FORMAT = 'sluice.tfjs-classifier';

/** What a trainer knows about a model besides its network. */
export interface ClassifierModelMeta {
  backend: TfBackend;
  features: string[];
  target: string;
  classes: string[];
  normalization: Standardization;
  params: Record<string, Json>;
}

export type ClassifierModelFile = TfjsModelFileOf<typeof CLASSIFIER_MODEL_FORMAT, ClassifierModelMeta>;

const modelFileSchema = z.object({
  ...tfjsModelHeaderFields(CLASSIFIER_MODEL_FORMAT),
  backend: z.enum(['tfjs-node-gpu', 'tfjs-node', 'cpu']),
  features: z.array(z.string()).min(1),
  target: z.string(),
  classes: z.array(z.string()).min(2),
  normalization: z.object({ mean: z.array(finiteNumber), std: z.array(finiteNumber) }),
  params: z.record(z.string(), jsonValue),
  tfjs: tfjsLayersJsonSchema,
});

const classifierModel = tfjsModelFormat<typeof CLASSIFIER_MODEL_FORMAT, ClassifierModelMeta>(CLASSIFIER_MODEL_FORMAT, modelFileSchema);

/** Serialises `model` and its metadata into one JSON file at `path`. */
export const saveClassifierModel = classifierModel.save;

/** Validates an already-parsed model file; errors name the file. */
export const parseClassifierModel = classifierModel.parse;

/** Reads and validates a model file; errors name the file. */
export const readClassifierModel = classifierModel.read;

/** Reads a model file and rebuilds the TensorFlow.js network from it. */
export const loadClassifierModel = classifierModel.load;
