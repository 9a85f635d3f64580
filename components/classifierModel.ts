/**
 * The `Model` artifact format of `train-classifier`: ONE JSON file holding everything needed to
 * predict — the TensorFlow.js topology and weights (base64), the feature columns and their
 * standardisation, and the class labels — so a model is one content-addressed blob.
 *
 * ```json
 * {
 *   "format": "sluice.tfjs-classifier", "formatVersion": 1,
 *   "framework": "tensorflow.js", "tfjsVersion": "4.22.0", "backend": "cpu",
 *   "features": ["sepal_length", …], "target": "species", "classes": ["setosa", …],
 *   "normalization": { "mean": [...], "std": [...] },
 *   "params": { "hiddenUnits": 16, … },
 *   "tfjs": { "modelTopology": {…}, "weightSpecs": [...], "weightData": "<base64>" }
 * }
 * ```
 * Features are standardised as `(x - mean) / std` before they reach the network.
 */
import { readFile, writeFile } from 'node:fs/promises';
import type { LayersModel, io } from '@tensorflow/tfjs';
import { NonRetryableError, type Json } from 'sluice/dsl';
import { z } from 'zod';
import type { Tf, TfBackend } from './tfjsBackend';

export const CLASSIFIER_MODEL_FORMAT = 'sluice.tfjs-classifier';

export interface Standardization {
  mean: number[];
  std: number[];
}

const finite = z.number().refine(Number.isFinite, 'must be a finite number');
const jsonValue: z.ZodType<Json> = z.lazy(() =>
  z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(jsonValue), z.record(z.string(), jsonValue)]),
);

const modelFileSchema = z.object({
  format: z.literal(CLASSIFIER_MODEL_FORMAT),
  formatVersion: z.literal(1),
  framework: z.literal('tensorflow.js'),
  tfjsVersion: z.string(),
  backend: z.enum(['tfjs-node-gpu', 'tfjs-node', 'cpu']),
  features: z.array(z.string()).min(1),
  target: z.string(),
  classes: z.array(z.string()).min(2),
  normalization: z.object({ mean: z.array(finite), std: z.array(finite) }),
  params: z.record(z.string(), jsonValue),
  tfjs: z.object({
    modelTopology: z.record(z.string(), jsonValue),
    weightSpecs: z.array(
      z
        .looseObject({ name: z.string(), shape: z.array(z.number().int()), dtype: z.enum(['float32', 'int32', 'bool', 'string', 'complex64']) })
        // Checked the fields we rely on; tfjs validates the rest (e.g. quantization) when it loads.
        .transform((spec) => spec as io.WeightsManifestEntry),
    ),
    weightData: z.base64(),
  }),
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
  let saved: io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      saved = artifacts;
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    }),
  );
  if (!saved?.modelTopology || saved.modelTopology instanceof ArrayBuffer || !saved.weightSpecs || !saved.weightData) {
    throw new Error('TensorFlow.js did not hand over the model topology and weights');
  }
  const file: ClassifierModelFile = {
    format: CLASSIFIER_MODEL_FORMAT,
    formatVersion: 1,
    framework: 'tensorflow.js',
    tfjsVersion: tf.version_core,
    ...meta,
    tfjs: {
      modelTopology: saved.modelTopology,
      weightSpecs: saved.weightSpecs,
      // Weights may arrive as several buffers; join them so the file holds one base64 string.
      weightData: Buffer.from(tf.io.CompositeArrayBuffer.join(saved.weightData)).toString('base64'),
    },
  };
  await writeFile(path, `${JSON.stringify(file)}\n`);
  return file;
}

/** Reads and validates a model file; errors name the file. */
export async function readClassifierModel(path: string): Promise<ClassifierModelFile> {
  let value: unknown;
  try {
    value = JSON.parse(await readFile(path, 'utf8'));
  } catch (err) {
    throw new InvalidModelError(`model ${path}: not a readable JSON file (${err instanceof Error ? err.message : String(err)})`);
  }
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

/** Reads a model file and rebuilds the TensorFlow.js network from it. */
export async function loadClassifierModel(path: string, tf: Tf): Promise<{ file: ClassifierModelFile; model: LayersModel }> {
  const file = await readClassifierModel(path);
  const weights = Buffer.from(file.tfjs.weightData, 'base64');
  const model = await tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: file.tfjs.modelTopology,
      weightSpecs: file.tfjs.weightSpecs,
      // Copy into a fresh ArrayBuffer: a Buffer's backing store may be a shared pool.
      weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength),
    }),
  );
  return { file, model };
}

/** Column means and standard deviations (population); constant columns get std 1. */
export function fitStandardization(x: readonly (readonly number[])[]): Standardization {
  const width = x[0]?.length ?? 0;
  const mean = Array.from({ length: width }, (_, j) => x.reduce((s, r) => s + r[j]!, 0) / x.length);
  const std = mean.map((m, j) => {
    const sd = Math.sqrt(x.reduce((s, r) => s + (r[j]! - m) ** 2, 0) / x.length);
    return sd > 1e-12 ? sd : 1; // a constant feature carries no signal; avoid dividing by zero
  });
  return { mean, std };
}

export function standardize(x: readonly (readonly number[])[], s: Standardization): number[][] {
  return x.map((r) => r.map((v, j) => (v - s.mean[j]!) / s.std[j]!));
}
