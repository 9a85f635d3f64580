/** The ClassificationMetrics viewer: headline scores, per-class table, confusion heatmap, ROC and PR curves. */
import type { ReactElement } from 'react';
import type { ClassificationView } from './classificationMetrics';
import { ConfusionMatrix } from './ConfusionMatrix';
import { formatNumber, LineChart } from './LineChart';

const score = (v: number | undefined): string => (v === undefined ? '–' : formatNumber(v));

export function ClassificationMetricsView({ view }: { view: ClassificationView }): ReactElement {
  const extraColumns = [...new Set(view.perClass.flatMap((c) => Object.keys(c.extra)))];
  return (
    <div className="classification">
      <dl className="headline">
        {view.accuracy !== undefined && (
          <div>
            <dt>accuracy</dt>
            <dd>{score(view.accuracy)}</dd>
          </div>
        )}
        {view.macro?.f1 !== undefined && (
          <div>
            <dt>macro F1</dt>
            <dd>{score(view.macro.f1)}</dd>
          </div>
        )}
        {Object.entries(view.macro?.extra ?? {}).map(([k, v]) => (
          <div key={k}>
            <dt>macro {k}</dt>
            <dd>{score(v)}</dd>
          </div>
        ))}
        {view.n !== undefined && (
          <div>
            <dt>rows evaluated</dt>
            <dd>{view.n}</dd>
          </div>
        )}
      </dl>
      {view.confusion && <ConfusionMatrix labels={view.confusion.labels} matrix={view.confusion.matrix} />}
      {view.perClass.length > 0 && (
        <table className="data-table">
          <caption>Per class</caption>
          <thead>
            <tr>
              <th scope="col">class</th>
              <th scope="col">precision</th>
              <th scope="col">recall</th>
              <th scope="col">F1</th>
              <th scope="col">support</th>
              {extraColumns.map((k) => (
                <th key={k} scope="col">
                  {k}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {view.perClass.map((c) => (
              <tr key={c.label}>
                <th scope="row">{c.label}</th>
                <td>{score(c.precision)}</td>
                <td>{score(c.recall)}</td>
                <td>{score(c.f1)}</td>
                <td>{c.support ?? '–'}</td>
                {extraColumns.map((k) => (
                  <td key={k}>{score(c.extra[k])}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <div className="charts">
        {view.roc.length > 0 && (
          <LineChart
            title={`ROC curve${view.roc.some((c) => c.area !== undefined) ? ` (AUC ${view.roc.map((c) => (c.area !== undefined ? `${c.label} ${formatNumber(c.area)}` : '')).filter(Boolean).join(', ')})` : ''}`}
            series={view.roc}
            xLabel="false positive rate"
            yLabel="true positive rate"
            xDomain={[0, 1]}
            yDomain={[0, 1]}
            diagonal
          />
        )}
        {view.pr.length > 0 && (
          <LineChart title="Precision-recall curve" series={view.pr} xLabel="recall" yLabel="precision" xDomain={[0, 1]} yDomain={[0, 1]} />
        )}
      </div>
    </div>
  );
}
