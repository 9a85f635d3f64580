/**
 * A TensorFlow.js layers model as one JSON value: `{ modelTopology, weightSpecs, weightData }`,
 * weights base64-encoded. The model files of the built-in trainers embed it, so a model artifact is
 * one content-addressed blob that loads back without a directory of shards.
 */
import type { LayersModel, io } from '@tensorflow/tfjs';
import { z, type ZodType } from 'zod';
import type { Json } from 'sluice/dsl';
import type { Tf } from './tfjsBackend';

export const finiteNumber = z.number().refine(Number.isFinite, 'must be a finite number');
export const jsonValue: ZodType<Json> = z.lazy(() =>
  z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(jsonValue), z.record(z.string(), jsonValue)]),
);

export const tfjsLayersJsonSchema = z.object({
  modelTopology: z.record(z.string(), jsonValue),
  weightSpecs: z.array(
    z
      .looseObject({ name: z.string(), shape: z.array(z.number().int()), dtype: z.enum(['float32', 'int32', 'bool', 'string', 'complex64']) })
      // Checked the fields we rely on; tfjs validates the rest (e.g. quantization) when it loads.
      .transform((spec) => spec as io.WeightsManifestEntry),
  ),
  weightData: z.base64(),
});

export type TfjsLayersJson = z.infer<typeof tfjsLayersJsonSchema>;

/** Serialises a model's topology and weights (no file I/O). */
export async function serializeLayersModel(tf: Tf, model: LayersModel): Promise<TfjsLayersJson> {
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
  return {
    modelTopology: saved.modelTopology,
    weightSpecs: saved.weightSpecs,
    // Weights may arrive as several buffers; join them so the file holds one base64 string.
    weightData: Buffer.from(tf.io.CompositeArrayBuffer.join(saved.weightData)).toString('base64'),
  };
}

/** Rebuilds the TensorFlow.js network from its JSON form. */
export async function deserializeLayersModel(tf: Tf, json: TfjsLayersJson): Promise<LayersModel> {
  const weights = Buffer.from(json.weightData, 'base64');
  return tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: json.modelTopology,
      weightSpecs: json.weightSpecs,
      // Copy into a fresh ArrayBuffer: a Buffer's backing store may be a shared pool.
      weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength),
    }),
  );
}
