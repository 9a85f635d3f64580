/**
 * The `Transform` artifact format: per-column scaling fitted on training data, so the very same
 * scaling can be applied to test data and, later, to data at inference time. One JSON file:
 *
 * ```json
 * { "format": "sluice.transform", "formatVersion": 1, "method": "zscore", "fittedRows": 120,
 *   "columns": [{ "name": "sepal_length", "mean": 5.84, "std": 0.83 }, …] }
 * { "format": "sluice.transform", "formatVersion": 1, "method": "minmax", "fittedRows": 120,
 *   "columns": [{ "name": "sepal_length", "min": 4.3, "max": 7.9 }, …] }
 * ```
 * zscore maps x to (x − mean) / std (population std); minmax maps x to (x − min) / (max − min), so
 * the training values span [0, 1]. A constant column (std or width 0) is shifted, not scaled.
 * Missing values stay missing and do not count in the fit.
 */
import { NonRetryableError } from 'sluice/dsl';
import { z } from 'zod';
import { columnIndex, InvalidDatasetError, type Dataset } from '../dataset';
import { parseJsonDocument, readJsonDocument, type JsonDocumentKind } from '../jsonDocument';
import { numericSummary } from '../validate/statistics';

export const TRANSFORM_FORMAT = 'sluice.transform';
export const SCALING_METHODS = ['zscore', 'minmax'] as const;
export type ScalingMethod = (typeof SCALING_METHODS)[number];

const finite = z.number().refine(Number.isFinite, 'must be a finite number');
const head = { format: z.literal(TRANSFORM_FORMAT), formatVersion: z.literal(1), fittedRows: z.number().int().nonnegative() };
const transformSchema = z.discriminatedUnion('method', [
  z.object({ ...head, method: z.literal('zscore'), columns: z.array(z.object({ name: z.string().min(1), mean: finite, std: finite.refine((v) => v >= 0, 'must be 0 or more') })) }),
  z.object({ ...head, method: z.literal('minmax'), columns: z.array(z.object({ name: z.string().min(1), min: finite, max: finite })) }),
]);

export type Transform = z.infer<typeof transformSchema>;

/** A Transform file is not valid JSON or not in the format above. */
export class InvalidTransformError extends NonRetryableError {
  override readonly name: string = 'InvalidTransformError';
  override readonly code: string = 'invalid-transform';
}

/**
 * The number columns to scale: `columns` when given (each must be a number column), else every
 * number column except the dataset's target and `exclude`.
 */
export function featureColumns(ds: Dataset, source: string, columns?: readonly string[], exclude: readonly string[] = []): string[] {
  if (columns !== undefined && columns.length > 0) {
    for (const name of columns) {
      const type = ds.columns[columnIndex(ds, name, source)]!.type;
      if (type !== 'number') throw new InvalidDatasetError(`dataset ${source}: column "${name}" holds ${type}s; only number columns can be scaled`);
    }
    return [...columns];
  }
  const skip = new Set([...exclude, ...(ds.target === undefined ? [] : [ds.target])]);
  return ds.columns.filter((c) => c.type === 'number' && !skip.has(c.name)).map((c) => c.name);
}

/** Fits `method` on the named number columns of `ds`. */
export function fitTransform(ds: Dataset, columns: readonly string[], method: ScalingMethod, source: string): Transform {
  const summaries = columns.map((name) => {
    const j = columnIndex(ds, name, source);
    const values = ds.rows.map((r) => r[j]).filter((v): v is number => typeof v === 'number');
    const s = numericSummary(values);
    if (!s) throw new InvalidDatasetError(`dataset ${source}: column "${name}" has no values to fit ${method} on`);
    return { name, ...s };
  });
  const fittedRows = ds.rows.length;
  switch (method) {
    case 'zscore':
      return { format: TRANSFORM_FORMAT, formatVersion: 1, method, fittedRows, columns: summaries.map((s) => ({ name: s.name, mean: s.mean, std: s.std })) };
    case 'minmax':
      return { format: TRANSFORM_FORMAT, formatVersion: 1, method, fittedRows, columns: summaries.map((s) => ({ name: s.name, min: s.min, max: s.max })) };
  }
}

/** Per fitted column, x ↦ (x − offset) / scale (export-onnx folds it into the graph). */
export function transformScalings(t: Transform): Array<{ name: string; offset: number; scale: number }> {
  const nonZero = (v: number): number => (v > 0 ? v : 1);
  switch (t.method) {
    case 'zscore':
      return t.columns.map((c) => ({ name: c.name, offset: c.mean, scale: nonZero(c.std) }));
    case 'minmax':
      return t.columns.map((c) => ({ name: c.name, offset: c.min, scale: nonZero(c.max - c.min) }));
  }
}

/**
 * Applies a fitted transform to a dataset with the fitted columns (other columns pass through).
 * A dataset lacking a fitted column, or holding other than numbers in one, is refused by name.
 */
export function applyTransformTo(ds: Dataset, t: Transform, source: string): Dataset {
  const plan = transformScalings(t).map((s) => {
    const j = ds.columns.findIndex((c) => c.name === s.name);
    if (j < 0) {
      throw new InvalidDatasetError(
        `dataset ${source} lacks column "${s.name}" that the ${t.method} transform was fitted on (columns: ${ds.columns.map((c) => c.name).join(', ')})`,
      );
    }
    if (ds.columns[j]!.type !== 'number') {
      throw new InvalidDatasetError(`dataset ${source}: column "${s.name}" holds ${ds.columns[j]!.type}s; the transform scales numbers`);
    }
    return { j, ...s };
  });
  const rows = ds.rows.map((r) => {
    const out = [...r];
    for (const { j, offset, scale } of plan) {
      const v = out[j];
      if (typeof v === 'number') out[j] = (v - offset) / scale;
    }
    return out;
  });
  return { ...ds, rows };
}

const transformDocument: JsonDocumentKind<Transform> = {
  noun: 'transform',
  format: TRANSFORM_FORMAT,
  schema: transformSchema,
  madeBy: 'standardize',
  error: InvalidTransformError,
};

export function parseTransform(value: unknown, source: string): Transform {
  return parseJsonDocument(transformDocument, value, source);
}

export async function readTransform(path: string): Promise<Transform> {
  return readJsonDocument(transformDocument, path);
}
