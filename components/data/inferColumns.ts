/**
 * Column type inference for the loaders: text fields (CSV) and JSON values (JSON Lines) become
 * typed Dataset columns. A column takes the narrowest type every present value fits, in the order
 * bool → int → float → string; missing values become `null` and make the column nullable.
 */
import { columnValueType, type ColumnType, type Dataset, type DatasetCell, type DatasetColumn, type ValueType } from '../dataset';
import { SourceFileError } from './sourceFile';

/** Text that means "no value" unless a loader is told otherwise (as pandas reads them). */
export const DEFAULT_MISSING_VALUES: readonly string[] = ['', 'NA', 'N/A', 'NaN', 'null'];

// No leading zeros: "007" or "02134" are codes, and reading them as 7 or 2134 would lose them.
const INT = /^[+-]?(?:0|[1-9]\d*)$/;
const FLOAT = /^[+-]?(?:(?:0|[1-9]\d*)(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const BOOL = /^(?:true|false)$/i;

/** One typed column: its type and its cells (null where missing). */
export interface TypedColumn {
  type: ValueType;
  cells: DatasetCell[];
}

/** Types a column of text fields; strings are kept verbatim, other values are read trimmed. */
export function inferTextColumn(fields: readonly string[], missingValues: ReadonlySet<string>): TypedColumn {
  const isMissing = (f: string): boolean => missingValues.has(f) || missingValues.has(f.trim());
  const present = fields.filter((f) => !isMissing(f)).map((f) => f.trim());
  let type: ValueType = 'string';
  if (present.length > 0) {
    if (present.every((f) => BOOL.test(f))) type = 'bool';
    else if (present.every((f) => INT.test(f) && Number.isSafeInteger(Number(f)))) type = 'int';
    // Integers beyond 2^53 (ids, account numbers) would lose digits as numbers: keep them as text.
    else if (present.every((f) => FLOAT.test(f) && Number.isFinite(Number(f)) && !(INT.test(f) && !Number.isSafeInteger(Number(f))))) {
      type = 'float';
    }
  }
  const cells = fields.map((f): DatasetCell => {
    if (isMissing(f)) return null;
    switch (type) {
      case 'bool':
        return f.trim().toLowerCase() === 'true';
      case 'int':
      case 'float':
        return Number(f.trim());
      case 'string':
        return f;
    }
  });
  return { type, cells };
}

/** JSON values a Dataset cell can hold (objects and arrays are refused by the loader first). */
export type FlatJson = string | number | boolean | null | undefined;

/**
 * Types a column of JSON values (`undefined` where a row lacks the key). Values of mixed types
 * (numbers and strings, say) make a string column, the numbers written as JSON writes them;
 * `mixed` says so, so the loader can log it.
 */
export function inferJsonColumn(values: readonly FlatJson[]): TypedColumn & { mixed: boolean } {
  const kinds = new Set<'number' | 'string' | 'boolean'>();
  let allInt = true;
  for (const v of values) {
    if (v === null || v === undefined) continue;
    if (typeof v === 'number') {
      kinds.add('number');
      if (!Number.isInteger(v)) allInt = false;
    } else if (typeof v === 'string') kinds.add('string');
    else kinds.add('boolean');
  }
  const mixed = kinds.size > 1;
  const only = kinds.size === 1 ? [...kinds][0] : undefined;
  const type: ValueType = only === 'number' ? (allInt ? 'int' : 'float') : only === 'boolean' ? 'bool' : 'string';
  const cells = values.map((v): DatasetCell => {
    if (v === null || v === undefined) return null;
    return type === 'string' ? (typeof v === 'string' ? v : JSON.stringify(v)) : v;
  });
  return { type, cells, mixed };
}

/** The Dataset column type that stores values of a value type. */
export function columnTypeOf(type: ValueType): ColumnType {
  switch (type) {
    case 'int':
    case 'float':
      return 'number';
    case 'bool':
      return 'boolean';
    case 'string':
      return 'string';
  }
}

/** Assembles typed columns into a Dataset (columns nullable exactly where a value is missing). */
export function datasetFromColumns(names: readonly string[], columns: readonly TypedColumn[], target?: string): Dataset {
  const defs = names.map((name, j): DatasetColumn => {
    const col = columns[j]!;
    const def: DatasetColumn = { name, type: columnTypeOf(col.type) };
    if (col.cells.includes(null)) def.nullable = true;
    return def;
  });
  const n = columns[0]?.cells.length ?? 0;
  const rows = Array.from({ length: n }, (_, i) => columns.map((c) => c.cells[i] ?? null));
  const ds: Dataset = { columns: defs, rows };
  if (target !== undefined) ds.target = target;
  return ds;
}

/**
 * The columns to keep, in order: `keep` when given (each must exist), else all. `where` prefixes
 * the error, which lists the columns there are.
 */
export function selectColumns(available: readonly string[], keep: readonly string[] | undefined, where: string): number[] {
  if (keep === undefined || keep.length === 0) return available.map((_, i) => i);
  const seen = new Set<string>();
  return keep.map((name) => {
    if (seen.has(name)) throw new SourceFileError(`${where}: column "${name}" is listed twice in columns`);
    seen.add(name);
    const i = available.indexOf(name);
    if (i < 0) throw new SourceFileError(`${where}: no column "${name}" to keep (columns: ${available.join(', ')})`);
    return i;
  });
}

/** Per column, the value type: searchable as a loaded artifact's `columnTypes` property. */
export function columnTypes(ds: Dataset): Record<string, ValueType> {
  return Object.fromEntries(ds.columns.map((c, i) => [c.name, columnValueType(ds, i)]));
}
