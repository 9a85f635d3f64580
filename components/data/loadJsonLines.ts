/**
 * `load-json-lines`: a JSON Lines file (one JSON object per line) as a Dataset. The columns are
 * the union of the objects' keys in the order first seen; a key a row lacks is a missing value.
 */
import { component, t } from 'sluice/dsl';
import { datasetProperties, writeDataset, type Dataset } from '../dataset';
import { columnTypes, datasetFromColumns, inferJsonColumn, selectColumns, type FlatJson } from './inferColumns';
import { readSourceText, SourceFileError } from './sourceFile';

export interface JsonLinesOptions {
  /** Columns to keep, in this order; default all keys. */
  columns?: readonly string[];
  /** The column a model predicts; must be a kept column. */
  target?: string;
}

export interface ParsedJsonLines {
  dataset: Dataset;
  /** Columns whose values had more than one JSON type, so they were read as strings. */
  mixedColumns: string[];
}

function describeJson(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/**
 * Parses JSON Lines text into a Dataset. Blank lines are skipped; errors start with `source` and
 * the line number. Values must be flat (number, string, boolean, null): nested objects and arrays
 * are refused rather than flattened by a guess.
 */
export function parseJsonLines(text: string, source: string, options: JsonLinesOptions = {}): ParsedJsonLines {
  const objects: Array<Record<string, FlatJson>> = [];
  const keys: string[] = [];
  const known = new Set<string>();
  text.split('\n').forEach((raw, i) => {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.trim() === '') return;
    const where = `${source} line ${i + 1}`;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (err) {
      // V8 quotes the start of the line (`"root:x:0:0…" is not valid JSON`): the line number is enough.
      const why = (err instanceof Error ? err.message : String(err)).replace(/, ".*" is not valid JSON$/s, '');
      throw new SourceFileError(`${where}: not valid JSON (${why})`);
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new SourceFileError(`${where}: expected a JSON object, got ${describeJson(value)}`);
    }
    const obj = value as Record<string, unknown>;
    for (const [key, v] of Object.entries(obj)) {
      if (typeof v === 'object' && v !== null) {
        throw new SourceFileError(`${where}: key "${key}" holds ${describeJson(v)}; a Dataset column holds numbers, strings, booleans or null`);
      }
      if (typeof v === 'number' && !Number.isFinite(v)) {
        throw new SourceFileError(`${where}: key "${key}" holds ${v}, too large for a 64-bit float`);
      }
      if (key === '') throw new SourceFileError(`${where}: an empty key cannot name a column`);
      if (!known.has(key)) {
        known.add(key);
        keys.push(key);
      }
    }
    objects.push(obj as Record<string, FlatJson>);
  });
  if (objects.length === 0) throw new SourceFileError(`${source}: the file is empty; expected one JSON object per line`);

  const keep = selectColumns(keys, options.columns, source);
  const names = keep.map((j) => keys[j]!);
  if (options.target !== undefined && !names.includes(options.target)) {
    throw new SourceFileError(`${source}: target "${options.target}" is not a column (columns: ${names.join(', ')})`);
  }
  const mixedColumns: string[] = [];
  const columns = names.map((name) => {
    const col = inferJsonColumn(objects.map((o) => o[name]));
    if (col.mixed) mixedColumns.push(name);
    return col;
  });
  return { dataset: datasetFromColumns(names, columns, options.target), mixedColumns };
}

export const loadJsonLines = component({
  name: 'load-json-lines',
  description: 'Loads a JSON Lines file (one flat JSON object per line) into a Dataset; columns are the union of the keys.',
  category: 'data',
  module: 'sluice/components',
  export: 'loadJsonLines',
  inputs: {
    path: t.string({ description: "the .jsonl file, inside the worker's data roots (SLUICE_DATA_ROOTS, default its working directory; relative paths resolve from that directory)" }),
    columns: t.list(t.string(), { optional: true, description: 'columns to keep, in this order (default: all keys)' }),
    target: t.string({ optional: true, description: 'the column a model predicts' }),
  },
  outputs: { dataset: t.Dataset(), rows: t.int() },
  // The key would hold the path, not the file's content: an edited file must be read again.
  cache: false,
  run: async (inputs, ctx) => {
    const text = await readSourceText(inputs.path, 'load-json-lines');
    const options: JsonLinesOptions = {};
    if (inputs.columns !== undefined) options.columns = inputs.columns;
    if (inputs.target !== undefined) options.target = inputs.target;
    const { dataset: ds, mixedColumns } = parseJsonLines(text, inputs.path, options);
    for (const name of mixedColumns) ctx.log(`column "${name}" mixes JSON types; read as strings`);
    await writeDataset(ctx.outputs.dataset.path, ds);
    const types = columnTypes(ds);
    ctx.outputs.dataset.properties = { ...datasetProperties(ds), columnTypes: types, source: inputs.path };
    ctx.log(`read ${ds.rows.length} rows from ${inputs.path}`, { columnTypes: types });
    return { rows: ds.rows.length };
  },
});
