/**
 * A confusion matrix as a heatmap that is also a real table: rows are actual labels, columns
 * predicted; the cell shade grows with the count (share of its row, so rare classes show too), and
 * the text switches to white on dark cells to keep contrast.
 */
import type { ReactElement } from 'react';

export function heatColour(share: number): { background: string; color: string } {
  const t = Math.max(0, Math.min(1, share));
  // From near-white to a deep blue; light text from the middle on (contrast ≥ 4.5:1 both sides).
  const mix = (a: number, b: number): number => Math.round(a + (b - a) * t);
  return { background: `rgb(${mix(240, 16)}, ${mix(245, 63)}, ${mix(252, 138)})`, color: t > 0.45 ? '#ffffff' : '#1d2433' };
}

export function ConfusionMatrix(props: { labels: string[]; matrix: number[][]; title?: string }): ReactElement {
  const { labels, matrix } = props;
  return (
    <table className="confusion" data-testid="confusion-matrix">
      <caption>{props.title ?? 'Confusion matrix'} (rows: actual, columns: predicted)</caption>
      <thead>
        <tr>
          <th scope="col">
            <span className="sr-only">actual \ predicted</span>
          </th>
          {labels.map((l) => (
            <th key={l} scope="col">
              {l}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {matrix.map((row, i) => {
          const total = row.reduce((s, v) => s + v, 0);
          const label = labels[i] ?? `class ${i + 1}`;
          return (
            <tr key={label}>
              <th scope="row">{label}</th>
              {row.map((v, j) => {
                const colour = heatColour(total ? v / total : 0);
                return (
                  <td key={j} className={i === j ? 'diagonal' : undefined} style={colour} title={`actual ${label}, predicted ${labels[j] ?? j}: ${v}`}>
                    {v}
                  </td>
                );
              })}
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
