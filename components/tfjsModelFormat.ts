/**
 * What the TensorFlow.js model formats of the built-in trainers share: a model artifact is ONE JSON
 * file — a fixed header (`format`, `formatVersion`, `framework`, `tfjsVersion`), the trainer's
 * metadata (features and their standardisation, target, …) and the network as `tfjs`
 * ({@link TfjsLayersJson}). Each format (`classifierModel.ts`, `regressorModel.ts`) supplies its
 * name, its metadata type and the zod schema of the whole file; {@link tfjsModelFormat} builds the
 * save / parse / read / load functions from them.
 */
import { readFile, writeFile } from 'node:fs/promises';
import type { LayersModel } from '@tensorflow/tfjs';
import { z, type ZodType } from 'zod';
import { InvalidModelError } from './invalidModelError';
import type { Standardization } from './standardization';
import { deserializeLayersModel, serializeLayersModel, type TfjsLayersJson } from './tfjsLayersJson';
import type { Tf } from './tfjsBackend';

/** The metadata every format records: the feature columns and how they are standardised. */
export interface TfjsModelMetaBase {
  features: string[];
  normalization: Standardization;
}

/** A model file of format `F`: the header, the trainer's metadata `Meta`, and the network. */
export type TfjsModelFileOf<F extends string, Meta extends TfjsModelMetaBase> = {
  format: F;
  formatVersion: 1;
  framework: 'tensorflow.js';
  tfjsVersion: string;
} & Meta & { tfjs: TfjsLayersJson };

/** The zod fields of the header {@link tfjsModelFormat} writes; spread them first into a format's schema. */
export function tfjsModelHeaderFields<F extends string>(format: F) {
  return {
    format: z.literal(format),
    formatVersion: z.literal(1),
    framework: z.literal('tensorflow.js'),
    tfjsVersion: z.string(),
  };
}

export interface TfjsModelFormat<File, Meta> {
  /** Serialises `model` and its metadata into one JSON file at `path`. */
  save: (path: string, tf: Tf, model: LayersModel, meta: Meta) => Promise<File>;
  /** Validates an already-parsed model file; errors name the file. */
  parse: (value: unknown, path: string) => File;
  /** Reads and validates a model file; errors name the file. */
  read: (path: string) => Promise<File>;
  /** Reads a model file and rebuilds the TensorFlow.js network from it. */
  load: (path: string, tf: Tf) => Promise<{ file: File; model: LayersModel }>;
}

/** Parses a model file's JSON text, whatever its format (so a reader can accept several formats). */
export async function readModelJson(path: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as unknown;
  } catch (err) {
    throw new InvalidModelError(`model ${path}: not a readable JSON file (${err instanceof Error ? err.message : String(err)})`);
  }
}

/** The save / parse / read / load functions of the model format `format`, whose files `schema` checks. */
export function tfjsModelFormat<F extends string, Meta extends TfjsModelMetaBase>(
  format: F,
  schema: ZodType<TfjsModelFileOf<F, Meta>>,
): TfjsModelFormat<TfjsModelFileOf<F, Meta>, Meta> {
  type File = TfjsModelFileOf<F, Meta>;

  const save = async (path: string, tf: Tf, model: LayersModel, meta: Meta): Promise<File> => {
    const file: File = {
      format,
      formatVersion: 1,
      framework: 'tensorflow.js',
      tfjsVersion: tf.version_core,
      ...meta,
      tfjs: await serializeLayersModel(tf, model),
    };
    await writeFile(path, `${JSON.stringify(file)}\n`);
    return file;
  };

  const parse = (value: unknown, path: string): File => {
    const parsed = schema.safeParse(value);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
      throw new InvalidModelError(`model ${path}: not a ${format} model file (${issues})`);
    }
    const m = parsed.data;
    if (m.normalization.mean.length !== m.features.length || m.normalization.std.length !== m.features.length) {
      throw new InvalidModelError(`model ${path}: normalization has a different length than features (${m.features.length})`);
    }
    return m;
  };

  const read = async (path: string): Promise<File> => parse(await readModelJson(path), path);

  const load = async (path: string, tf: Tf): Promise<{ file: File; model: LayersModel }> => {
    const file = await read(path);
    return { file, model: await deserializeLayersModel(tf, file.tfjs) };
  };

  return { save, parse, read, load };
}
