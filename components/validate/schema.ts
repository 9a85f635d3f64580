/**
 * The `Schema` artifact format: what a Dataset is expected to look like, inferred from statistics
 * of good data and checked by `validate-schema`. One JSON file, meant to be read and hand-edited:
 *
 * ```json
 * {
 *   "format": "sluice.schema", "formatVersion": 1, "target": "species",
 *   "columns": [
 *     { "name": "sepal_length", "type": "float", "required": true, "min": 3.94, "max": 8.26 },
 *     { "name": "species", "type": "string", "required": true, "categories": ["setosa", "versicolor", "virginica"] }
 *   ]
 * }
 * ```
 * Every column listed must be present. `required`: no missing values allowed. `min`/`max`
 * (numbers): the allowed range. `categories` (strings): the allowed values, when listed.
 */
import { NonRetryableError } from 'sluice/dsl';
import { z } from 'zod';
import type { ValueType } from '../dataset';
import { parseJsonDocument, readJsonDocument, type JsonDocumentKind } from '../jsonDocument';
import type { Statistics } from './statistics';

export const SCHEMA_FORMAT = 'sluice.schema';

const schemaFileSchema = z
  .object({
    format: z.literal(SCHEMA_FORMAT),
    formatVersion: z.literal(1),
    target: z.string().optional(),
    columns: z.array(
      z
        .object({
          name: z.string().min(1),
          type: z.enum(['int', 'float', 'string', 'bool']),
          required: z.boolean(),
          min: z.number().optional(),
          max: z.number().optional(),
          categories: z.array(z.string()).optional(),
        })
        .refine((c) => c.min === undefined || c.max === undefined || c.min <= c.max, 'min must not exceed max'),
    ),
  })
  .refine((s) => new Set(s.columns.map((c) => c.name)).size === s.columns.length, 'a column is listed twice');

export type Schema = z.infer<typeof schemaFileSchema>;
export type SchemaColumn = Schema['columns'][number];

/** A Schema file is not valid JSON or not in the format above. */
export class InvalidSchemaError extends NonRetryableError {
  override readonly name: string = 'InvalidSchemaError';
  override readonly code: string = 'invalid-schema';
}

export interface InferSchemaOptions {
  /** Widens each numeric range by this fraction of its width on both sides (default 0.1). */
  rangeSlack?: number;
  /** String columns with at most this many distinct values get an allowed list (default 20). */
  maxCategories?: number;
}

/** The types a column of type `expected` accepts: an int column fits a float schema. */
export function typeFits(actual: ValueType, expected: ValueType): boolean {
  return actual === expected || (actual === 'int' && expected === 'float');
}

/**
 * Infers a schema from statistics of data taken to be good: each column's type, required when
 * nothing was missing, a numeric range widened by `rangeSlack`, and the categories of
 * low-cardinality string columns (only when the statistics list all of them).
 */
export function schemaFromStatistics(stats: Statistics, options: InferSchemaOptions = {}): Schema {
  const slack = options.rangeSlack ?? 0.1;
  const maxCategories = options.maxCategories ?? 20;
  const columns = stats.columns.map((c): SchemaColumn => {
    const col: SchemaColumn = { name: c.name, type: c.type, required: c.missing === 0 };
    if (c.numeric) {
      const pad = (c.numeric.max - c.numeric.min) * slack;
      col.min = c.numeric.min - pad;
      col.max = c.numeric.max + pad;
    }
    const cats = c.categories;
    if (c.type === 'string' && cats && !cats.truncated && cats.distinct > 0 && cats.distinct <= maxCategories) {
      col.categories = cats.top.map((x) => x.value).sort();
    }
    return col;
  });
  const schema: Schema = { format: SCHEMA_FORMAT, formatVersion: 1, columns };
  if (stats.target !== undefined) schema.target = stats.target;
  return schema;
}

const schemaDocument: JsonDocumentKind<Schema> = {
  noun: 'schema',
  format: SCHEMA_FORMAT,
  schema: schemaFileSchema,
  madeBy: 'infer-schema',
  error: InvalidSchemaError,
};

/** Checks that `value` is a Schema; `source` names it in errors. */
export function parseSchema(value: unknown, source: string): Schema {
  return parseJsonDocument(schemaDocument, value, source);
}

export async function readSchema(path: string): Promise<Schema> {
  return readJsonDocument(schemaDocument, path);
}
