/**
 * The `Dataset` artifact format of the built-in components: one JSON file, small and previewable.
 *
 * ```json
 * {
 *   "columns": [{ "name": "sepal_length", "type": "number" }, { "name": "species", "type": "string" }],
 *   "target": "species",
 *   "rows": [
 *     [5.1, "setosa"],
 *     [7.0, "versicolor"]
 *   ]
 * }
 * ```
 *
 * - `columns`: at least one; names unique and non-empty; `type` is "number", "string" or
 *   "boolean"; `nullable: true` (optional) allows missing values in that column.
 * - `rows`: arrays with one cell per column; a number column holds finite numbers, a string column
 *   strings, a boolean column booleans. A missing value is `null`, and only a nullable column may
 *   hold one, so a consumer that needs complete data (`numberMatrix`) can refuse it up front.
 * - `target` (optional): the column a model predicts; must name a column.
 *
 * `writeDataset` puts one row per line so a file diffs and previews well.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { NonRetryableError, type Json } from 'sluice/dsl';

export type ColumnType = 'number' | 'string' | 'boolean';
export interface DatasetColumn {
  name: string;
  type: ColumnType;
  /** The column may hold missing values (`null`). Absent means it may not. */
  nullable?: boolean;
}
export type DatasetCell = number | string | boolean | null;

/**
 * What the values of a column are, at the precision loaders, statistics and schemas speak of: a
 * number column is "int" when every value it holds is a whole number, else "float".
 */
export type ValueType = 'int' | 'float' | 'string' | 'bool';

const COLUMN_TYPES: readonly ColumnType[] = ['number', 'string', 'boolean'];

export interface Dataset {
  columns: DatasetColumn[];
  rows: DatasetCell[][];
  /** The column a model predicts (its label), when the dataset has one. */
  target?: string;
}

/** A Dataset file is not valid JSON or does not follow the format above. */
export class InvalidDatasetError extends NonRetryableError {
  override readonly name: string = 'InvalidDatasetError';
  override readonly code: string = 'invalid-dataset';
}

/** Checks that `value` is a Dataset; `source` (usually the file path) names it in errors. */
export function parseDataset(value: unknown, source: string): Dataset {
  const fail = (what: string): never => {
    throw new InvalidDatasetError(`dataset ${source}: ${what}`);
  };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail('expected a JSON object { columns, rows, target? }');
  const obj = value as Record<string, unknown>;
  for (const key of Object.keys(obj)) {
    if (key !== 'columns' && key !== 'rows' && key !== 'target') fail(`unknown key "${key}" (expected columns, rows, target)`);
  }

  if (!Array.isArray(obj.columns) || obj.columns.length === 0) fail('"columns" must be a non-empty array of { name, type }');
  const columns: DatasetColumn[] = [];
  const seen = new Set<string>();
  (obj.columns as unknown[]).forEach((c, i) => {
    const col = c as { name?: unknown; type?: unknown; nullable?: unknown } | null;
    if (typeof col !== 'object' || col === null) return fail(`columns[${i}] must be an object { name, type, nullable? }`);
    if (typeof col.name !== 'string' || col.name === '') return fail(`columns[${i}].name must be a non-empty string`);
    if (!COLUMN_TYPES.includes(col.type as ColumnType)) {
      return fail(`column "${col.name}": type must be "number", "string" or "boolean" (got ${JSON.stringify(col.type)})`);
    }
    if (col.nullable !== undefined && typeof col.nullable !== 'boolean') {
      return fail(`column "${col.name}": nullable must be true or false (got ${JSON.stringify(col.nullable)})`);
    }
    if (seen.has(col.name)) return fail(`column "${col.name}" appears twice`);
    seen.add(col.name);
    const column: DatasetColumn = { name: col.name, type: col.type as ColumnType };
    if (col.nullable === true) column.nullable = true;
    columns.push(column);
  });

  if (!Array.isArray(obj.rows)) fail('"rows" must be an array of arrays');
  const rows = obj.rows as unknown[];
  rows.forEach((r, i) => {
    if (!Array.isArray(r)) return fail(`row ${i} must be an array`);
    if (r.length !== columns.length) return fail(`row ${i} has ${r.length} cells; expected ${columns.length} (one per column)`);
    columns.forEach((col, j) => {
      const cell: unknown = r[j];
      if (cell === null) {
        if (col.nullable !== true) fail(`row ${i}, column "${col.name}": expected a ${col.type}, got null (the column is not nullable)`);
        return;
      }
      const ok = col.type === 'number' ? typeof cell === 'number' && Number.isFinite(cell) : typeof cell === col.type;
      if (!ok) fail(`row ${i}, column "${col.name}": expected a ${col.type}, got ${JSON.stringify(cell)}`);
    });
  });

  const ds: Dataset = { columns, rows: rows as DatasetCell[][] };
  if (obj.target !== undefined) {
    if (typeof obj.target !== 'string' || !seen.has(obj.target)) {
      fail(`"target" must name a column (got ${JSON.stringify(obj.target)}; columns: ${columns.map((c) => c.name).join(', ')})`);
    }
    ds.target = obj.target as string;
  }
  return ds;
}

/** Reads and validates a Dataset file; errors name the file and what is wrong. */
export async function readDataset(path: string): Promise<Dataset> {
  const text = await readFile(path, 'utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new InvalidDatasetError(`dataset ${path}: not valid JSON (${err instanceof Error ? err.message : String(err)})`);
  }
  return parseDataset(value, path);
}

/** Validates and writes a Dataset file (so a component can never emit a malformed one). */
export async function writeDataset(path: string, ds: Dataset): Promise<void> {
  parseDataset(ds, path);
  const head: Record<string, unknown> = { columns: ds.columns };
  if (ds.target !== undefined) head.target = ds.target;
  const headJson = JSON.stringify(head).slice(0, -1);
  const body = ds.rows.map((r) => JSON.stringify(r)).join(',\n');
  await writeFile(path, `${headJson},"rows":[${body === '' ? '' : `\n${body}\n`}]}\n`);
}

/** Index of a column by name; throws a clear error naming the dataset when it is missing. */
export function columnIndex(ds: Dataset, name: string, source: string): number {
  const i = ds.columns.findIndex((c) => c.name === name);
  if (i < 0) {
    throw new InvalidDatasetError(`dataset ${source}: no column "${name}" (columns: ${ds.columns.map((c) => c.name).join(', ')})`);
  }
  return i;
}

/** Searchable artifact properties for a Dataset output. */
export function datasetProperties(ds: Dataset): Record<string, Json> {
  const props: Record<string, Json> = { rows: ds.rows.length, columns: ds.columns.map((c) => c.name) };
  if (ds.target !== undefined) props.target = ds.target;
  return props;
}

/** The rows' values of the named number columns, as a matrix (rows × names); no missing values. */
export function numberMatrix(ds: Dataset, names: readonly string[], source: string): number[][] {
  const idx = names.map((name) => {
    const i = columnIndex(ds, name, source);
    const type = ds.columns[i]!.type;
    if (type !== 'number') {
      throw new InvalidDatasetError(`dataset ${source}: column "${name}" holds ${type}s; a number column is needed here (encode it first)`);
    }
    return i;
  });
  return ds.rows.map((r, row) =>
    idx.map((i, k) => {
      const v = r[i];
      if (typeof v !== 'number') {
        throw new InvalidDatasetError(`dataset ${source}: column "${names[k]}" has a missing value in row ${row}; impute or drop missing values first`);
      }
      return v;
    }),
  );
}

/** The value type of a column: its declared type, with number columns told apart into int/float. */
export function columnValueType(ds: Dataset, index: number): ValueType {
  const type = ds.columns[index]!.type;
  switch (type) {
    case 'string':
      return 'string';
    case 'boolean':
      return 'bool';
    case 'number':
      return ds.rows.every((r) => {
        const v = r[index];
        return typeof v !== 'number' || Number.isInteger(v);
      })
        ? 'int'
        : 'float';
  }
}
