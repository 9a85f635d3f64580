/**
 * Checking a Dataset against a Schema: every way it breaks the schema, as a list of anomalies
 * with messages a person can act on, and a Markdown report of them.
 */
import { columnValueType, type Dataset } from '../dataset';
import { typeFits, type Schema, type SchemaColumn } from './schema';

export type AnomalyKind = 'missing-column' | 'unexpected-column' | 'wrong-type' | 'missing-values' | 'out-of-range' | 'unknown-category';

export interface Anomaly {
  kind: AnomalyKind;
  column: string;
  /** One sentence: what is wrong, where, with the numbers. */
  message: string;
  /** Rows affected, for kinds about values. */
  rows?: number;
}

export interface AnomalyOptions {
  /** Columns the schema does not list are fine (default false: they are anomalies). */
  allowExtraColumns?: boolean;
}

/** Values listed in a message: at most five, then how many more. */
function listSome(items: readonly string[]): string {
  return items.length <= 5 ? items.join(', ') : `${items.slice(0, 5).join(', ')} and ${items.length - 5} more`;
}

function checkValues(ds: Dataset, j: number, col: SchemaColumn): Anomaly[] {
  const out: Anomaly[] = [];
  const name = col.name;
  const values = ds.rows.map((r) => r[j] ?? null);

  const missingRows = values.flatMap((v, i) => (v === null ? [i] : []));
  if (col.required && missingRows.length > 0) {
    out.push({
      kind: 'missing-values',
      column: name,
      rows: missingRows.length,
      message: `column "${name}" has ${missingRows.length} missing value${missingRows.length === 1 ? '' : 's'} (rows ${listSome(missingRows.map(String))}); the schema requires a value in every row`,
    });
  }

  if (col.min !== undefined || col.max !== undefined) {
    const lo = col.min ?? -Infinity;
    const hi = col.max ?? Infinity;
    const outside = values.filter((v): v is number => typeof v === 'number' && (v < lo || v > hi));
    if (outside.length > 0) {
      out.push({
        kind: 'out-of-range',
        column: name,
        rows: outside.length,
        message: `column "${name}" has ${outside.length} value${outside.length === 1 ? '' : 's'} outside [${lo}, ${hi}] (lowest ${outside.reduce((a, b) => Math.min(a, b))}, highest ${outside.reduce((a, b) => Math.max(a, b))})`,
      });
    }
  }

  if (col.categories !== undefined) {
    const allowed = new Set(col.categories);
    const unknown = new Map<string, number>();
    for (const v of values) {
      if (typeof v === 'string' && !allowed.has(v)) unknown.set(v, (unknown.get(v) ?? 0) + 1);
    }
    if (unknown.size > 0) {
      const rows = [...unknown.values()].reduce((a, b) => a + b, 0);
      const listed = [...unknown].sort((a, b) => b[1] - a[1]).map(([v, n]) => `${JSON.stringify(v)} ×${n}`);
      out.push({
        kind: 'unknown-category',
        column: name,
        rows,
        message: `column "${name}" has ${rows} value${rows === 1 ? '' : 's'} the schema does not list: ${listSome(listed)} (allowed: ${listSome(col.categories)})`,
      });
    }
  }
  return out;
}

/** Every way `ds` breaks `schema`, in schema column order, then unexpected columns. */
export function findAnomalies(ds: Dataset, schema: Schema, options: AnomalyOptions = {}): Anomaly[] {
  const out: Anomaly[] = [];
  for (const col of schema.columns) {
    const j = ds.columns.findIndex((c) => c.name === col.name);
    if (j < 0) {
      out.push({ kind: 'missing-column', column: col.name, message: `dataset is missing column "${col.name}" that the schema requires` });
      continue;
    }
    const actual = columnValueType(ds, j);
    if (!typeFits(actual, col.type)) {
      // Ranges and categories mean nothing for values of another type: report the type alone.
      out.push({ kind: 'wrong-type', column: col.name, message: `column "${col.name}" holds ${actual} values; the schema expects ${col.type}` });
      continue;
    }
    out.push(...checkValues(ds, j, col));
  }
  if (!options.allowExtraColumns) {
    const known = new Set(schema.columns.map((c) => c.name));
    for (const c of ds.columns) {
      if (!known.has(c.name)) {
        out.push({ kind: 'unexpected-column', column: c.name, message: `column "${c.name}" is not in the schema (drop it, or infer the schema again from data that has it)` });
      }
    }
  }
  return out;
}

const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** A Markdown report: a verdict line, then a table of the anomalies. */
export function anomalyReport(anomalies: readonly Anomaly[], about: { dataset: string; schema: string; rows: number }): string {
  const head = `# Schema validation\n\n- dataset: \`${about.dataset}\` (${about.rows} rows)\n- schema: \`${about.schema}\`\n\n`;
  if (anomalies.length === 0) return `${head}**Valid**: no anomalies.\n`;
  const rows = anomalies.map((a) => `| ${a.kind} | \`${cell(a.column)}\` | ${a.rows ?? ''} | ${cell(a.message)} |`);
  return (
    `${head}**${anomalies.length} anomal${anomalies.length === 1 ? 'y' : 'ies'}**\n\n` +
    `| kind | column | rows | detail |\n|---|---|---|---|\n${rows.join('\n')}\n`
  );
}
