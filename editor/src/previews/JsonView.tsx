/**
 * JSON values as nested disclosure lists (objects and arrays open one level at a time), long
 * strings and arrays shortened: a model file holds thousands of weights nobody reads here.
 */
import type { ReactElement } from 'react';

const LONG_STRING = 200;
const LONG_ARRAY = 50;

function scalar(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > LONG_STRING ? `${v.slice(0, LONG_STRING)}… (${v.length} characters)` : v);
  return JSON.stringify(v) ?? String(v);
}

export function JsonView({ value, name, open = false }: { value: unknown; name?: string; open?: boolean }): ReactElement {
  if (typeof value !== 'object' || value === null) {
    return (
      <span className="json-scalar">
        {name !== undefined && <span className="json-key">{name}: </span>}
        {scalar(value)}
      </span>
    );
  }
  const entries: [string, unknown][] = Array.isArray(value) ? value.slice(0, LONG_ARRAY).map((v, i) => [String(i), v]) : Object.entries(value);
  const shape = Array.isArray(value) ? `[${value.length}]` : `{${entries.length}}`;
  const allScalars = Array.isArray(value) && value.every((v) => typeof v !== 'object' || v === null);
  if (allScalars) {
    const shown = (value as unknown[]).slice(0, LONG_ARRAY).map(scalar).join(', ');
    return (
      <span className="json-scalar">
        {name !== undefined && <span className="json-key">{name}: </span>}[{shown}
        {(value as unknown[]).length > LONG_ARRAY ? `, … ${(value as unknown[]).length - LONG_ARRAY} more` : ''}]
      </span>
    );
  }
  return (
    <details className="json-node" open={open}>
      <summary>
        {name !== undefined && <span className="json-key">{name}</span>} {shape}
      </summary>
      <ul>
        {entries.map(([k, v]) => (
          <li key={k}>
            <JsonView value={v} name={k} />
          </li>
        ))}
        {Array.isArray(value) && value.length > LONG_ARRAY && <li className="muted">… {value.length - LONG_ARRAY} more</li>}
      </ul>
    </details>
  );
}

/** Flat key → value rows for a Metrics artifact ({ accuracy: 0.9, loss: { final: 0.1 } } → accuracy, loss.final). */
export function flattenNumbers(value: unknown, prefix = ''): { key: string; value: string }[] {
  if (typeof value !== 'object' || value === null) return [{ key: prefix || 'value', value: typeof value === 'number' ? String(value) : (JSON.stringify(value) ?? '') }];
  if (Array.isArray(value)) {
    if (value.every((v) => typeof v !== 'object' || v === null)) return [{ key: prefix || 'value', value: value.map((v) => JSON.stringify(v)).join(', ') }];
    return value.flatMap((v, i) => flattenNumbers(v, `${prefix}[${i}]`));
  }
  return Object.entries(value).flatMap(([k, v]) => flattenNumbers(v, prefix ? `${prefix}.${k}` : k));
}

export function KeyValueTable({ rows, caption }: { rows: { key: string; value: string }[]; caption: string }): ReactElement {
  return (
    <table className="data-table">
      <caption>{caption}</caption>
      <tbody>
        {rows.map((r) => (
          <tr key={r.key}>
            <th scope="row">{r.key}</th>
            <td>{r.value}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
