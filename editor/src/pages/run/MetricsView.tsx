/** A task's recorded metrics: series (several steps) as small line charts, single values as a table. */
import type { ReactElement } from 'react';
import { formatNumber, LineChart } from '../../previews/LineChart';
import type { MetricSeries } from 'sluice/api';

export function MetricsView({ series }: { series: MetricSeries[] }): ReactElement {
  if (series.length === 0) return <p className="muted">This task recorded no metrics.</p>;
  const curves = series.filter((s) => s.points.length > 1);
  const singles = series.filter((s) => s.points.length === 1);
  return (
    <div className="metrics-view">
      {singles.length > 0 && (
        <table className="data-table">
          <caption>Values</caption>
          <tbody>
            {singles.map((s) => (
              <tr key={s.key}>
                <th scope="row">{s.key}</th>
                <td>{formatNumber(s.points[0]?.value ?? NaN)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <div className="charts">
        {curves.map((s) => {
          // The component says what its steps count (`ctx.metric(key, v, { step, stepLabel: 'epoch' })`).
          const x = s.stepLabel ?? 'step';
          return <LineChart key={s.key} title={`${s.key} per ${x}`} series={[{ label: s.key, points: s.points.map((p) => ({ x: p.step, y: p.value })) }]} xLabel={x} yLabel={s.key} width={320} height={180} />;
        })}
      </div>
    </div>
  );
}
