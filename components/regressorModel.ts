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
import { writeFile } from 'node:fs/promises';
import type { LayersModel } from '@tensorflow/tfjs';
import type { Json } from 'sluice/dsl';
import { z } from 'zod';
import { InvalidModelError, readModelJson } from './classifierModel';
import type { Standardization } from './standardization';
import { deserializeLayersModel, finiteNumber, jsonValue, serializeLayersModel, tfjsLayersJsonSchema } from './tfjsLayersJson';
import type { Tf, TfBackend } from './tfjsBackend';

export const REGRESSOR_MODEL_FORMAT = 'sluice.tfjs-regressor';

const regressorFileSchema = z.object({
  format: z.literal(REGRESSOR_MODEL_FORMAT),
  formatVersion: z.literal(1),
  framework: z.literal('tensorflow.js'),
  tfjsVersion: z.string(),
  backend: z.enum(['tfjs-node-gpu', 'tfjs-node', 'cpu']),
  features: z.array(z.string()).min(1),
  target: z.string(),
  normalization: z.object({ mean: z.array(finiteNumber), std: z.array(finiteNumber) }),
  targetNormalization: z.object({ mean: finiteNumber, std: finiteNumber.refine((v) => v > 0, 'must be positive') }),
  params: z.record(z.string(), jsonValue),
  tfjs: tfjsLayersJsonSchema,
});

export type RegressorModelFile = z.infer<typeof regressorFileSchema>;

export interface RegressorModelMeta {
  backend: TfBackend;
  features: string[];
  target: string;
  normalization: Standardization;
  targetNormalization: { mean: number; std: number };
  params: Record<string, Json>;
}

export async function saveRegressorModel(path: string, tf: Tf, model: LayersModel, meta: RegressorModelMeta): Promise<RegressorModelFile> {
  const file: RegressorModelFile = {
    format: REGRESSOR_MODEL_FORMAT,
    formatVersion: 1,
    framework: 'tensorflow.js',
    tfjsVersion: tf.version_core,
    ...meta,
    tfjs: await serializeLayersModel(tf, model),
  };
  await writeFile(path, `${JSON.stringify(file)}\n`);
  return file;
}

export function parseRegressorModel(value: unknown, path: string): RegressorModelFile {
  const parsed = regressorFileSchema.safeParse(value);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new InvalidModelError(`model ${path}: not a ${REGRESSOR_MODEL_FORMAT} model file (${issues})`);
  }
  const m = parsed.data;
  if (m.normalization.mean.length !== m.features.length || m.normalization.std.length !== m.features.length) {
    throw new InvalidModelError(`model ${path}: normalization has a different length than features (${m.features.length})`);
  }
  return m;
}

export async function readRegressorModel(path: string): Promise<RegressorModelFile> {
  return parseRegressorModel(await readModelJson(path), path);
}

export async function loadRegressorModel(path: string, tf: Tf): Promise<{ file: RegressorModelFile; model: LayersModel }> {
  const file = await readRegressorModel(path);
  return { file, model: await deserializeLayersModel(tf, file.tfjs) };
}
