/**
 * The `Statistics` artifact format: a per-column summary of a Dataset, what `infer-schema` reads
 * and what a person skims to see what the data looks like. One JSON file:
 *
 * ```json
 * {
 *   "format": "sluice.statistics", "formatVersion": 1, "rows": 150, "target": "species",
 *   "columns": [
 *     { "name": "sepal_length", "type": "float", "count": 150, "missing": 0,
 *       "numeric": { "min": 4.3, "max": 7.9, "mean": 5.843, "std": 0.825 } },
 *     { "name": "species", "type": "string", "count": 150, "missing": 0,
 *       "categories": { "distinct": 3, "truncated": false, "top": [{ "value": "setosa", "count": 50 }, …] } }
 *   ]
 * }
 * ```
 * `count` is the number of present values; `std` is the population standard deviation;
 * `categories` (string and bool columns) lists the most frequent values, by count then value, up
 * to a cap, `truncated` when there are more.
 */
import { NonRetryableError } from 'sluice/dsl';
import { z } from 'zod';
import { columnValueType, type Dataset, type DatasetCell } from '../dataset';
import { parseJsonDocument, readJsonDocument, type JsonDocumentKind } from '../jsonDocument';

export const STATISTICS_FORMAT = 'sluice.statistics';

const valueType = z.enum(['int', 'float', 'string', 'bool']);
const statisticsSchema = z.object({
  format: z.literal(STATISTICS_FORMAT),
  formatVersion: z.literal(1),
  rows: z.number().int().nonnegative(),
  target: z.string().optional(),
  columns: z.array(
    z.object({
      name: z.string().min(1),
      type: valueType,
      count: z.number().int().nonnegative(),
      missing: z.number().int().nonnegative(),
      numeric: z.object({ min: z.number(), max: z.number(), mean: z.number(), std: z.number().nonnegative() }).optional(),
      categories: z
        .object({
          distinct: z.number().int().nonnegative(),
          truncated: z.boolean(),
          top: z.array(z.object({ value: z.string(), count: z.number().int().positive() })),
        })
        .optional(),
    }),
  ),
});

export type Statistics = z.infer<typeof statisticsSchema>;
export type ColumnStatistics = Statistics['columns'][number];
export type NumericSummary = NonNullable<ColumnStatistics['numeric']>;
export type CategorySummary = NonNullable<ColumnStatistics['categories']>;

/** A Statistics file is not valid JSON or not in the format above. */
export class InvalidStatisticsError extends NonRetryableError {
  override readonly name: string = 'InvalidStatisticsError';
  override readonly code: string = 'invalid-statistics';
}

/** min, max, mean and population std of finite numbers (Welford's update: stable for large values). */
export function numericSummary(values: readonly number[]): NumericSummary | undefined {
  if (values.length === 0) return undefined;
  let min = Infinity;
  let max = -Infinity;
  let mean = 0;
  let m2 = 0;
  values.forEach((v, i) => {
    if (v < min) min = v;
    if (v > max) max = v;
    const delta = v - mean;
    mean += delta / (i + 1);
    m2 += delta * (v - mean);
  });
  return { min, max, mean, std: Math.sqrt(m2 / values.length) };
}

/** Distinct values with counts, most frequent first (ties by value), the first `cap` of them. */
export function categorySummary(values: readonly string[], cap: number): CategorySummary {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  const all = [...counts].map(([value, count]) => ({ value, count }));
  all.sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
  return { distinct: all.length, truncated: all.length > cap, top: all.slice(0, cap) };
}

export interface StatisticsOptions {
  /** Most categories listed per column (default 50); `distinct` counts them all regardless. */
  maxCategories?: number;
}

/** Summarises every column of a Dataset. */
export function datasetStatistics(ds: Dataset, options: StatisticsOptions = {}): Statistics {
  const cap = options.maxCategories ?? 50;
  const columns = ds.columns.map((col, j): ColumnStatistics => {
    const present = ds.rows.map((r) => r[j]).filter((v): v is Exclude<DatasetCell, null> => v !== null && v !== undefined);
    const stats: ColumnStatistics = { name: col.name, type: columnValueType(ds, j), count: present.length, missing: ds.rows.length - present.length };
    if (col.type === 'number') {
      const numeric = numericSummary(present as number[]);
      if (numeric) stats.numeric = numeric;
    } else {
      stats.categories = categorySummary(present.map(String), cap);
    }
    return stats;
  });
  const out: Statistics = { format: STATISTICS_FORMAT, formatVersion: 1, rows: ds.rows.length, columns };
  if (ds.target !== undefined) out.target = ds.target;
  return out;
}

const statisticsDocument: JsonDocumentKind<Statistics> = {
  noun: 'statistics',
  format: STATISTICS_FORMAT,
  schema: statisticsSchema,
  madeBy: 'compute-statistics',
  error: InvalidStatisticsError,
};

/** Checks that `value` is a Statistics document; `source` names it in errors. */
export function parseStatistics(value: unknown, source: string): Statistics {
  return parseJsonDocument(statisticsDocument, value, source);
}

export async function readStatistics(path: string): Promise<Statistics> {
  return readJsonDocument(statisticsDocument, path);
}
