/**
 * `load-csv`: a CSV file (header row, RFC 4180 quoting) as a Dataset, with column types inferred
 * (bool, int, float, else string) and missing values as null.
 */
import { CsvError, parse } from 'csv-parse/sync';
import { component, t } from 'sluice/dsl';
import { datasetProperties, writeDataset, type Dataset } from '../dataset';
import { columnTypes, datasetFromColumns, DEFAULT_MISSING_VALUES, inferTextColumn, selectColumns } from './inferColumns';
import { readSourceText, SourceFileError } from './sourceFile';

export interface CsvOptions {
  /** Field separator; default ",". */
  delimiter?: string;
  /** Columns to keep, in this order; default all. */
  columns?: readonly string[];
  /** Field texts that mean "missing"; default `DEFAULT_MISSING_VALUES`. */
  missingValues?: readonly string[];
  /** The column a model predicts; must be a kept column. */
  target?: string;
}

/** Whether `text` holds a control character other than a tab (C0 controls, CR, LF, DEL). */
function hasControlCharacter(text: string): boolean {
  return [...text].some((c) => {
    const code = c.charCodeAt(0);
    return (code < 0x20 && c !== '\t') || code === 0x7f;
  });
}

/**
 * Parses CSV text into a Dataset. `source` (the file path) starts every error, with the line:
 * `data.csv line 7: 3 fields, the header has 5`. Header names are trimmed; blank lines are skipped.
 * Lines are those where a record ends (they differ only for quoted fields spanning lines).
 */
export function parseCsv(text: string, source: string, options: CsvOptions = {}): Dataset {
  const delimiter = options.delimiter ?? ',';
  // Control characters (NUL, …) are refused too; a tab is the one that separates fields in practice.
  if (delimiter === '' || delimiter.includes('"') || hasControlCharacter(delimiter)) {
    throw new SourceFileError(`${source}: delimiter ${JSON.stringify(delimiter)} cannot separate fields; use e.g. ",", ";" or "\\t"`);
  }
  if (text.trim() === '') throw new SourceFileError(`${source}: the file is empty; expected a header row and data rows`);

  const lines: number[] = [];
  let records: string[][];
  try {
    records = parse(text, {
      delimiter,
      bom: true,
      skip_empty_lines: true,
      // Ragged rows are reported below, in our words and with the header's width.
      relax_column_count: true,
      on_record: (record: string[], context) => {
        lines.push(context.lines);
        return record;
      },
    });
  } catch (err) {
    if (err instanceof CsvError) {
      const line = typeof err.lines === 'number' ? ` line ${err.lines}` : '';
      // csv-parse quotes the offending field's text ("value is …"): the line number is enough.
      throw new SourceFileError(`${source}${line}: malformed CSV: ${err.message.replace(/, value is ".*"/s, '')}`);
    }
    throw err;
  }

  const [header, ...body] = records;
  if (header === undefined) throw new SourceFileError(`${source}: the file is empty; expected a header row and data rows`);
  const names = header.map((h) => h.trim());
  const seen = new Map<string, number>();
  names.forEach((name, i) => {
    if (name === '') throw new SourceFileError(`${source} line ${lines[0]}: header field ${i + 1} is empty; every column needs a name`);
    const first = seen.get(name);
    if (first !== undefined) throw new SourceFileError(`${source} line ${lines[0]}: column "${name}" appears twice in the header (fields ${first + 1} and ${i + 1})`);
    seen.set(name, i);
  });
  if (body.length === 0) throw new SourceFileError(`${source}: the header has no data rows under it`);
  body.forEach((record, i) => {
    if (record.length !== names.length) {
      throw new SourceFileError(`${source} line ${lines[i + 1]}: ${record.length} field${record.length === 1 ? '' : 's'}, the header has ${names.length}`);
    }
  });

  const keep = selectColumns(names, options.columns, source);
  const keptNames = keep.map((j) => names[j]!);
  if (options.target !== undefined && !keptNames.includes(options.target)) {
    throw new SourceFileError(`${source}: target "${options.target}" is not a column (columns: ${keptNames.join(', ')})`);
  }
  const missing = new Set(options.missingValues ?? DEFAULT_MISSING_VALUES);
  const columns = keep.map((j) => inferTextColumn(body.map((r) => r[j]!), missing));
  return datasetFromColumns(keptNames, columns, options.target);
}

export const loadCsv = component({
  name: 'load-csv',
  description: 'Loads a CSV file with a header row into a Dataset, inferring column types (bool, int, float, string).',
  category: 'data',
  module: 'sluice/components',
  export: 'loadCsv',
  inputs: {
    path: t.string({ description: "the CSV file, inside the worker's data roots (SLUICE_DATA_ROOTS, default its working directory; relative paths resolve from that directory)" }),
    delimiter: t.string({ default: ',', description: 'field separator, e.g. "," ";" or "\\t"' }),
    columns: t.list(t.string(), { optional: true, description: 'columns to keep, in this order (default: all)' }),
    missingValues: t.list(t.string(), { default: [...DEFAULT_MISSING_VALUES], description: 'field texts read as missing (null)' }),
    target: t.string({ optional: true, description: 'the column a model predicts' }),
  },
  outputs: { dataset: t.Dataset(), rows: t.int() },
  // The key would hold the path, not the file's content: an edited file must be read again.
  cache: false,
  run: async (inputs, ctx) => {
    const text = await readSourceText(inputs.path, 'load-csv');
    const options: CsvOptions = { delimiter: inputs.delimiter, missingValues: inputs.missingValues };
    if (inputs.columns !== undefined) options.columns = inputs.columns;
    if (inputs.target !== undefined) options.target = inputs.target;
    const ds = parseCsv(text, inputs.path, options);
    await writeDataset(ctx.outputs.dataset.path, ds);
    const types = columnTypes(ds);
    ctx.outputs.dataset.properties = { ...datasetProperties(ds), columnTypes: types, source: inputs.path };
    ctx.log(`read ${ds.rows.length} rows from ${inputs.path}`, { columnTypes: types });
    return { rows: ds.rows.length };
  },
});
