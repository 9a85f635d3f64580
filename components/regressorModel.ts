/**
 * The `Model` artifact format of `train-regressor`: one JSON file, like the classifier's, with the
 * target's own standardisation instead of classes.
 *
 * ```json
 * {
 *   "format": "sluice.tfjs-regressor", "formatVersion": 1,
 *   "framework": "tensorflow.js", "tfjsVersion": "4.22.0", "backend": "cpu",
 *   "features": ["sepal_length", …], "target": "petal_width",
 *   "normalization": { "mean": [...], "std": [...] },
 *   "targetNormalization": { "mean": 1.19, "std": 0.76 },
 *   "params": { "modelType": "dense-regressor", "hiddenLayers": [16], … },
 *   "tfjs": { "modelTopology": {…}, "weightSpecs": [...], "weightData": "<base64>" }
 * }
 * ```
 * The network sees standardised features and predicts a standardised target (one linear output
 * unit); a prediction in the target's units is `output * targetNormalization.std + mean`.
 */
import type { Json } from 'sluice/dsl';
import { z } from 'zod';
import type { Standardization } from './standardization';
import { finiteNumber, jsonValue, tfjsLayersJsonSchema } from './tfjsLayersJson';
import type { TfBackend } from './tfjsBackend';
import { tfjsModelFormat, tfjsModelHeaderFields, type TfjsModelFileOf } from './tfjsModelFormat';

export const REGRESSOR_MODEL_FORMAT = 'sluice.tfjs-regressor';

export interface RegressorModelMeta {
  backend: TfBackend;
  features: string[];
  target: string;
  normalization: Standardization;
  targetNormalization: { mean: number; std: number };
  params: Record<string, Json>;
}

export type RegressorModelFile = TfjsModelFileOf<typeof REGRESSOR_MODEL_FORMAT, RegressorModelMeta>;

const regressorFileSchema = z.object({
  ...tfjsModelHeaderFields(REGRESSOR_MODEL_FORMAT),
  backend: z.enum(['tfjs-node-gpu', 'tfjs-node', 'cpu']),
  features: z.array(z.string()).min(1),
  target: z.string(),
  normalization: z.object({ mean: z.array(finiteNumber), std: z.array(finiteNumber) }),
  targetNormalization: z.object({ mean: finiteNumber, std: finiteNumber.refine((v) => v > 0, 'must be positive') }),
  params: z.record(z.string(), jsonValue),
  tfjs: tfjsLayersJsonSchema,
});

const regressorModel = tfjsModelFormat<typeof REGRESSOR_MODEL_FORMAT, RegressorModelMeta>(REGRESSOR_MODEL_FORMAT, regressorFileSchema);

export const saveRegressorModel = regressorModel.save;
export const parseRegressorModel = regressorModel.parse;
export const readRegressorModel = regressorModel.read;
export const loadRegressorModel = regressorModel.load;
