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
import { readFile, writeFile } from 'node:fs/promises';
import type { LayersModel } from '@tensorflow/tfjs';
import { NonRetryableError, type Json } from 'sluice/dsl';
import { z } from 'zod';
import type { Standardization } from './standardization';
import { deserializeLayersModel, finiteNumber, jsonValue, serializeLayersModel, tfjsLayersJsonSchema } from './tfjsLayersJson';
import type { Tf, TfBackend } from './tfjsBackend';

export { fitStandardization, standardize, type Standardization } from './standardization';

export const CLASSIFIER_MODEL_FORMAT = 'sluice.tfjs-classifier';

const modelFileSchema = z.object({
  format: z.literal(CLASSIFIER_MODEL_FORMAT),
  formatVersion: z.literal(1),
  framework: z.literal('tensorflow.js'),
  tfjsVersion: z.string(),
  backend: z.enum(['tfjs-node-gpu', 'tfjs-node', 'cpu']),
  features: z.array(z.string()).min(1),
  target: z.string(),
  classes: z.array(z.string()).min(2),
  normalization: z.object({ mean: z.array(finiteNumber), std: z.array(finiteNumber) }),
  params: z.record(z.string(), jsonValue),
  tfjs: tfjsLayersJsonSchema,
});

export type ClassifierModelFile = z.infer<typeof modelFileSchema>;

/** What a trainer knows about a model besides its network. */
export interface ClassifierModelMeta {
  backend: TfBackend;
  features: string[];
  target: string;
  classes: string[];
  normalization: Standardization;
  params: Record<string, Json>;
}

/** The model artifact file is unreadable or not in the format above. */
export class InvalidModelError extends NonRetryableError {
  override readonly name: string = 'InvalidModelError';
}

/** Serialises `model` and its metadata into one JSON file at `path`. */
export async function saveClassifierModel(
  path: string,
  tf: Tf,
  model: LayersModel,
  meta: ClassifierModelMeta,
): Promise<ClassifierModelFile> {
  const file: ClassifierModelFile = {
    format: CLASSIFIER_MODEL_FORMAT,
    formatVersion: 1,
    framework: 'tensorflow.js',
    tfjsVersion: tf.version_core,
    ...meta,
    tfjs: await serializeLayersModel(tf, model),
  };
  await writeFile(path, `${JSON.stringify(file)}\n`);
  return file;
}

/** Parses a model file's JSON text; `format` lets a reader accept several model formats. */
export async function readModelJson(path: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as unknown;
  } catch (err) {
    throw new InvalidModelError(`model ${path}: not a readable JSON file (${err instanceof Error ? err.message : String(err)})`);
  }
}

/** Validates an already-parsed model file; errors name the file. */
export function parseClassifierModel(value: unknown, path: string): ClassifierModelFile {
  const parsed = modelFileSchema.safeParse(value);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new InvalidModelError(`model ${path}: not a ${CLASSIFIER_MODEL_FORMAT} model file (${issues})`);
  }
  const m = parsed.data;
  if (m.normalization.mean.length !== m.features.length || m.normalization.std.length !== m.features.length) {
    throw new InvalidModelError(`model ${path}: normalization has a different length than features (${m.features.length})`);
  }
  return m;
}

/** Reads and validates a model file; errors name the file. */
export async function readClassifierModel(path: string): Promise<ClassifierModelFile> {
  return parseClassifierModel(await readModelJson(path), path);
}

/** Reads a model file and rebuilds the TensorFlow.js network from it. */
export async function loadClassifierModel(path: string, tf: Tf): Promise<{ file: ClassifierModelFile; model: LayersModel }> {
  const file = await readClassifierModel(path);
  return { file, model: await deserializeLayersModel(tf, file.tfjs) };
}
