/**
 * Named JSON values (a task's parameters, its output values) as a captioned two-column table;
 * strings shown as they are, everything else as JSON. Nothing at all when there are no values.
 */
import type { ReactElement } from 'react';
import type { JsonValue } from 'sluice/api';

const show = (v: JsonValue): string => (typeof v === 'string' ? v : JSON.stringify(v));

export function ValueTable({ caption, values }: { caption: string; values: Record<string, JsonValue> | null | undefined }): ReactElement | null {
  const entries = Object.entries(values ?? {});
  if (entries.length === 0) return null;
  return (
    <table className="data-table">
      <caption>{caption}</caption>
      <tbody>
        {entries.map(([k, v]) => (
          <tr key={k}>
            <th scope="row">{k}</th>
            <td>
              <code>{show(v)}</code>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
