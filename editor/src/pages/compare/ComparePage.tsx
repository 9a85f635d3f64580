/**
 * Runs compared side by side (`#/compare?runs=a,b,c`, 2 to 50 runs): the parameters with
 * differences highlighted, the final metrics with the best run per metric marked (which way is
 * better comes from the server, and can be flipped per metric), every metric series overlaid on one
 * chart per task and key, confusion matrices and ROC curves side by side, and for a sweep a
 * parallel-coordinates plot of the varying parameters → a chosen metric and a scatter of any two.
 * Runs of different pipeline versions say so, with a link to the diff.
 *
 * Hooks for end-to-end tests: parameter rows `data-testid="param-<key>"` with `data-differs`, their
 * cells `data-differs`; metric rows `metric-<key>`, best cells `data-best="true"`; each overlaid
 * chart `data-testid="series-chart-<task>/<key>"` with one `[data-series]` group per run.
 */
import { useEffect, useMemo, useState, type ReactElement } from 'react';
import type { JsonValue, MetricSeries, RunComparison } from 'sluice/api';
import { api, errorText } from '../../api/client';
import { href } from '../../app/route';
import { axisFor, bestCells, compareIdsFromQuery, comparisonColumns, differingCells, formatValue, overlayCharts, parallelCoordinates, runLabels, type Axis } from '../../compare/compareView';
import { readClassificationMetrics, type ClassificationView } from '../../previews/classificationMetrics';
import { ConfusionMatrix } from '../../previews/ConfusionMatrix';
import { formatNumber, LineChart, SERIES_COLOURS } from '../../previews/LineChart';

/** Past this many runs, classification artifacts are not fetched (one request each): the tables and plots carry a sweep. */
const CLASSIFICATION_RUNS = 8;

type Classification = { runId: string; taskId: string; port: string; view: ClassificationView };

async function loadClassifications(ids: readonly string[]): Promise<Classification[]> {
  const found = await Promise.all(
    ids.map(async (runId) => {
      const { artifacts } = await api.getRun({ params: { runId } });
      const metrics = artifacts.filter((a) => /classificationmetrics/i.test(a.type));
      return Promise.all(
        metrics.map(async (a) => {
          const { preview } = await api.previewArtifact({ params: { artifactId: a.id }, query: {} });
          const view = preview.kind === 'json' ? readClassificationMetrics(preview.value) : undefined;
          return view ? [{ runId, taskId: a.taskId, port: a.port, view }] : [];
        }),
      );
    }),
  );
  return found.flat(2);
}

export function ComparePage(props: { query: URLSearchParams }): ReactElement {
  const queryText = props.query.toString();
  const ids = useMemo(() => compareIdsFromQuery(new URLSearchParams(queryText)), [queryText]);
  const labels = useMemo(() => runLabels(ids), [ids]);
  /** Per-metric direction the person set (flipping what the key suggested). */
  const [overrides, setOverrides] = useState<Record<string, 'lower' | 'higher'>>({});
  const [comparison, setComparison] = useState<RunComparison | null>(null);
  const [series, setSeries] = useState<ReadonlyMap<string, MetricSeries[]>>(new Map());
  const [classifications, setClassifications] = useState<Classification[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [onlyDiffering, setOnlyDiffering] = useState(false);

  const lower = Object.keys(overrides).filter((k) => overrides[k] === 'lower');
  const higher = Object.keys(overrides).filter((k) => overrides[k] === 'higher');
  const directionKey = `${lower.join(',')}|${higher.join(',')}`;
  useEffect(() => {
    if (ids.length < 2) return;
    let live = true;
    const [lowerKeys = '', higherKeys = ''] = directionKey.split('|');
    api
      // The series' points come with the comparison: one request, not one per run.
      .compareRuns({ query: { ids: ids.join(','), points: 'true', ...(lowerKeys ? { lowerIsBetter: lowerKeys } : {}), ...(higherKeys ? { higherIsBetter: higherKeys } : {}) } })
      .then((c) => {
        if (!live) return;
        setComparison(c);
        if (c.seriesPoints) setSeries(new Map(c.seriesPoints.map((s) => [s.runId, s.series])));
        setError(null);
      })
      .catch((e: unknown) => live && setError(errorText(e)));
    return () => {
      live = false;
    };
  }, [ids, directionKey]);

  useEffect(() => {
    if (ids.length < 2) return;
    let live = true;
    if (ids.length <= CLASSIFICATION_RUNS) {
      loadClassifications(ids)
        .then((c) => live && setClassifications(c))
        .catch(() => undefined); // the rest of the comparison stands without them
    }
    return () => {
      live = false;
    };
  }, [ids]);

  const runs = useMemo(() => ids.map((id, i) => ({ id, label: labels[i] ?? id })), [ids, labels]);
  const charts = useMemo(() => overlayCharts(runs, series), [runs, series]);

  if (ids.length < 2) {
    return (
      <main className="page">
        <h1>Compare runs</h1>
        <p>
          Pick two or more runs in the <a href={href.runs()}>runs list</a> and press Compare.
        </p>
      </main>
    );
  }
  const colour = (i: number): string => SERIES_COLOURS[i % SERIES_COLOURS.length] as string;
  const flip = (key: string, direction: 'lower' | 'higher'): void => setOverrides((o) => ({ ...o, [key]: direction === 'lower' ? 'higher' : 'lower' }));
  return (
    <main className="page compare-page">
      <h1>Compare {ids.length} runs</h1>
      {error && (
        <p className="error-text" role="alert">
          Could not compare the runs: {error}
        </p>
      )}
      {!comparison && !error && <p role="status">Loading the comparison…</p>}
      {comparison && (
        <>
          <ul className="compare-runs">
            {comparison.runs.map((r, i) => (
              <li key={r.id}>
                <span className="swatch" style={{ background: colour(i) }} aria-hidden="true" />
                <a href={href.run(r.id)}>{labels[i]}</a> <span className="muted">{r.pipelineName}</span> <span className={`run-status status-${r.status}`}>{r.status}</span>{' '}
                <time className="muted" dateTime={r.createdAt}>
                  {new Date(r.createdAt).toLocaleString()}
                </time>
              </li>
            ))}
          </ul>
          {comparison.pipelineChanged && <PipelineChanged comparison={comparison} />}
          <ParamsTable comparison={comparison} labels={labels} onlyDiffering={onlyDiffering} setOnlyDiffering={setOnlyDiffering} />
          <MetricsTable comparison={comparison} labels={labels} flip={flip} />
          <section aria-labelledby="series-heading">
            <h2 id="series-heading">Metric series</h2>
            {charts.length === 0 && <p className="muted">These runs recorded no metric over steps.</p>}
            <div className="chart-grid">
              {charts.map((c) => (
                <div key={c.id} data-testid={`series-chart-${c.id}`}>
                  <LineChart
                    title={`${c.key} per ${c.stepLabel} (${c.taskId})`}
                    series={c.series.map((s) => ({ label: s.label, points: s.points }))}
                    colours={c.series.map((s) => colour(ids.indexOf(s.runId)))}
                    xLabel={c.stepLabel}
                    yLabel={c.key}
                    width={420}
                  />
                </div>
              ))}
            </div>
          </section>
          {classifications.length > 0 && (
            <section aria-labelledby="classification-heading">
              <h2 id="classification-heading">Classification</h2>
              {groupByOutput(classifications).map(([output, items]) => (
                <div key={output}>
                  <h3>{output}</h3>
                  <div className="chart-grid">
                    {items.map((c) => {
                      const label = labels[ids.indexOf(c.runId)] ?? c.runId;
                      return (
                        <div key={c.runId} className="classification-card">
                          <h4>
                            <span className="swatch" style={{ background: colour(ids.indexOf(c.runId)) }} aria-hidden="true" />
                            {label}
                          </h4>
                          {c.view.confusion && <ConfusionMatrix labels={c.view.confusion.labels} matrix={c.view.confusion.matrix} title={`Confusion matrix of ${label}`} />}
                          {c.view.roc.length > 0 && <LineChart title={`ROC of ${label}`} series={c.view.roc} xLabel="false positive rate" yLabel="true positive rate" xDomain={[0, 1]} yDomain={[0, 1]} diagonal width={300} />}
                        </div>
                      );
                    })}
                  </div>
                </div>
              ))}
            </section>
          )}
          <SweepPlots comparison={comparison} labels={labels} />
        </>
      )}
    </main>
  );
}

/** The classification artifacts by task output (`evaluate.metrics`), each with the runs side by side in run order. */
function groupByOutput(items: readonly Classification[]): [string, Classification[]][] {
  const groups = new Map<string, Classification[]>();
  for (const c of items) groups.set(`${c.taskId}.${c.port}`, [...(groups.get(`${c.taskId}.${c.port}`) ?? []), c]);
  return [...groups];
}

/** Runs of different pipeline versions: say so, and link the diff of the first two versions of one pipeline. */
function PipelineChanged({ comparison }: { comparison: RunComparison }): ReactElement {
  const byPipeline = new Map<string, string[]>();
  for (const r of comparison.runs) {
    const versions = byPipeline.get(r.pipelineName) ?? [];
    if (!versions.includes(r.pipelineVersionId)) versions.push(r.pipelineVersionId);
    byPipeline.set(r.pipelineName, versions);
  }
  const pairs = [...byPipeline].filter(([, v]) => v.length >= 2);
  return (
    <p className="notice" role="note" data-testid="pipeline-changed">
      Pipeline changed: these runs ran different pipeline versions.{' '}
      {pairs.map(([name, [from, to]]) => (
        <a key={name} href={href.diff(name, from, to)}>
          See what changed in {name}
        </a>
      ))}
    </p>
  );
}

function ParamsTable(props: { comparison: RunComparison; labels: string[]; onlyDiffering: boolean; setOnlyDiffering: (v: boolean) => void }): ReactElement {
  const { comparison, labels, onlyDiffering } = props;
  const rows = comparison.params.filter((p) => !onlyDiffering || p.differs);
  return (
    <section aria-labelledby="params-heading">
      <h2 id="params-heading">Parameters</h2>
      <label>
        <input type="checkbox" checked={onlyDiffering} onChange={(e) => props.setOnlyDiffering(e.target.checked)} /> Only parameters that differ
      </label>
      {comparison.params.length === 0 ? (
        <p className="muted">The runs were given no parameters (they ran on the defaults).</p>
      ) : (
        <table className="data-table compare-table">
          <caption className="sr-only">Parameters by run; differing values highlighted</caption>
          <thead>
            <tr>
              <th scope="col">parameter</th>
              {labels.map((l) => (
                <th key={l} scope="col">
                  {l}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((p) => {
              const marks = differingCells(p.values);
              return (
                <tr key={p.key} data-testid={`param-${p.key}`} data-differs={p.differs} className={p.differs ? 'row-differs' : undefined}>
                  <th scope="row">
                    {p.key}
                    {p.differs && <span className="sr-only"> (differs)</span>}
                  </th>
                  {p.values.map((v, i) => (
                    <td key={i} data-differs={marks[i]} className={marks[i] ? 'cell-differs' : undefined}>
                      {formatValue(v)}
                    </td>
                  ))}
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}

function MetricsTable(props: { comparison: RunComparison; labels: string[]; flip: (key: string, direction: 'lower' | 'higher') => void }): ReactElement {
  const { comparison, labels } = props;
  return (
    <section aria-labelledby="metrics-heading">
      <h2 id="metrics-heading">Final metrics</h2>
      {comparison.metrics.length === 0 ? (
        <p className="muted">The runs recorded no metrics.</p>
      ) : (
        <table className="data-table compare-table">
          <caption className="sr-only">The final value of each metric by run; the best marked</caption>
          <thead>
            <tr>
              <th scope="col">metric</th>
              <th scope="col">better</th>
              {labels.map((l) => (
                <th key={l} scope="col">
                  {l}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {comparison.metrics.map((m) => {
              const best = bestCells(m);
              return (
                <tr key={m.key} data-testid={`metric-${m.key}`}>
                  <th scope="row">{m.key}</th>
                  <td>
                    <button
                      type="button"
                      className="direction"
                      onClick={() => props.flip(m.key, m.direction)}
                      title={`${m.direction === 'lower' ? 'Lower' : 'Higher'} is better (${m.directionFrom === 'key' ? 'the name reads as a loss or error' : m.directionFrom === 'request' ? 'you said so' : 'the default'}); click to flip`}
                    >
                      {m.direction === 'lower' ? 'lower ↓' : 'higher ↑'}
                    </button>
                  </td>
                  {m.values.map((v, i) => (
                    <td key={i} data-best={best[i]} className={best[i] ? 'cell-best value-column' : 'value-column'}>
                      {v === null ? '—' : formatNumber(v)}
                      {best[i] && (
                        <span className="best-mark" aria-label="best">
                          {' '}
                          ★
                        </span>
                      )}
                    </td>
                  ))}
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}

const PLOT = { width: 760, height: 300, top: 24, bottom: 40, left: 60, right: 60 };

/** A run's colour in the sweep plots: from blue (the metric's low end) to orange (its high end). */
function rampColour(t: number | undefined): string {
  if (t === undefined) return '#98a2b3';
  const mix = (a: number, b: number): number => Math.round(a + (b - a) * t);
  return `rgb(${mix(0, 213)}, ${mix(114, 94)}, ${mix(178, 0)})`;
}

function SweepPlots({ comparison, labels }: { comparison: RunComparison; labels: string[] }): ReactElement | null {
  const metricKeys = comparison.metrics.map((m) => m.key);
  const [metric, setMetric] = useState<string | undefined>(undefined);
  const chosen = metric && metricKeys.includes(metric) ? metric : metricKeys[0];
  const columns = useMemo(() => comparisonColumns(comparison), [comparison]);
  const names = [...columns.keys()];
  const [xKey, setXKey] = useState<string | undefined>(undefined);
  const [yKey, setYKey] = useState<string | undefined>(undefined);
  const x = xKey && columns.has(xKey) ? xKey : (comparison.params.find((p) => p.differs) ? `params.${comparison.params.find((p) => p.differs)?.key}` : names[0]);
  const y = yKey && columns.has(yKey) ? yKey : chosen ? `metrics.${chosen}` : names[1];
  if (!chosen || names.length === 0) return null;
  const { axes, lines } = parallelCoordinates(comparison, chosen);
  const metricAxis = axes[axes.length - 1];
  const plotW = PLOT.width - PLOT.left - PLOT.right;
  const plotH = PLOT.height - PLOT.top - PLOT.bottom;
  const ax = (d: number): number => PLOT.left + (axes.length === 1 ? plotW / 2 : (d / (axes.length - 1)) * plotW);
  const ay = (t: number): number => PLOT.top + plotH - t * plotH;
  return (
    <section aria-labelledby="sweep-heading">
      <h2 id="sweep-heading">Parameters → metric</h2>
      <label>
        Metric{' '}
        <select value={chosen} onChange={(e) => setMetric(e.target.value)}>
          {metricKeys.map((k) => (
            <option key={k} value={k}>
              {k}
            </option>
          ))}
        </select>
      </label>
      {axes.length < 2 && <p className="muted">No parameter differs between these runs: the parallel-coordinates plot needs one that does.</p>}
      {axes.length >= 2 && (
        <figure className="chart" data-testid="parallel-coordinates">
          <figcaption className="chart-title">Parallel coordinates: varying parameters → {chosen}</figcaption>
          <svg width={PLOT.width} height={PLOT.height} viewBox={`0 0 ${PLOT.width} ${PLOT.height}`} role="img" aria-label={`Parallel coordinates of ${axes.map((a) => a.key).join(', ')} for ${lines.length} runs`}>
            {lines.map((line, i) => {
              const t = line.positions[line.positions.length - 1];
              // A missing value breaks the line there (no made-up position).
              const segments: string[][] = [[]];
              line.positions.forEach((p, d) => {
                if (p === undefined) segments.push([]);
                else segments[segments.length - 1]?.push(`${ax(d).toFixed(1)},${ay(p).toFixed(1)}`);
              });
              return (
                <g key={line.runId} data-run={line.runId}>
                  <title>{`${labels[i]}: ${axes.map((a) => `${a.key} ${formatValue(columns.get(a.key)?.[i])}`).join(', ')}${missingNote(line.positions)}`}</title>
                  {segments
                    .filter((s) => s.length > 1)
                    .map((s, k) => (
                      <polyline key={k} points={s.join(' ')} fill="none" stroke={rampColour(t)} strokeWidth={2} strokeOpacity={0.8} />
                    ))}
                </g>
              );
            })}
            {axes.map((a, d) => (
              <AxisLine key={a.key} axis={a} x={ax(d)} ay={ay} top={PLOT.top} bottom={PLOT.top + plotH} height={PLOT.height} />
            ))}
          </svg>
          {metricAxis && <p className="muted">Colour: {chosen}, blue low → orange high.</p>}
        </figure>
      )}
      {x && y && <Scatter columns={columns} names={names} x={x} y={y} setX={setXKey} setY={setYKey} labels={labels} />}
    </section>
  );
}

/** A line's tooltip says when the run lacks some of the values (the line breaks there). */
const missingNote = (positions: (number | undefined)[]): string => (positions.some((p) => p === undefined) ? ' (some values missing)' : '');

function AxisLine(props: { axis: Axis; x: number; ay: (t: number) => number; top: number; bottom: number; height: number }): ReactElement {
  const { axis, x, ay } = props;
  return (
    <g data-axis={axis.key}>
      <line x1={x} x2={x} y1={props.top} y2={props.bottom} stroke="#1d2433" />
      {axis.ticks.map((t) => (
        <text key={t.label} x={x - 4} y={ay(t.at) + 4} textAnchor="end" fontSize="10" fill="#4a5568">
          {t.label}
        </text>
      ))}
      <text x={x} y={props.height - 14} textAnchor="middle" fontSize="11" fill="#1d2433">
        {axis.key.replace(/^(params|metrics)\./, '')}
      </text>
    </g>
  );
}

function Scatter(props: {
  columns: Map<string, (JsonValue | undefined)[]>;
  names: string[];
  x: string;
  y: string;
  setX: (k: string) => void;
  setY: (k: string) => void;
  labels: string[];
}): ReactElement {
  const { columns, names, x, y, labels } = props;
  const xs = columns.get(x) ?? [];
  const ys = columns.get(y) ?? [];
  const xAxis = axisFor(x, xs);
  const yAxis = axisFor(y, ys);
  const W = 420;
  const H = 300;
  const pad = { left: 56, right: 16, top: 12, bottom: 40 };
  const sx = (t: number): number => pad.left + t * (W - pad.left - pad.right);
  const sy = (t: number): number => pad.top + (1 - t) * (H - pad.top - pad.bottom);
  const select = (value: string, set: (k: string) => void, label: string): ReactElement => (
    <label>
      {label}{' '}
      <select value={value} onChange={(e) => set(e.target.value)}>
        {names.map((n) => (
          <option key={n} value={n}>
            {n}
          </option>
        ))}
      </select>
    </label>
  );
  return (
    <figure className="chart" data-testid="scatter">
      <figcaption className="chart-title">
        Scatter: {select(x, props.setX, 'x')} {select(y, props.setY, 'y')}
      </figcaption>
      <svg width={W} height={H} viewBox={`0 0 ${W} ${H}`} role="img" aria-label={`${y} against ${x}`}>
        <rect x={pad.left} y={pad.top} width={W - pad.left - pad.right} height={H - pad.top - pad.bottom} fill="#fff" stroke="#d0d5dd" />
        {xAxis.ticks.map((t) => (
          <text key={`x${t.label}`} x={sx(t.at)} y={H - pad.bottom + 14} textAnchor="middle" fontSize="10" fill="#4a5568">
            {t.label}
          </text>
        ))}
        {yAxis.ticks.map((t) => (
          <text key={`y${t.label}`} x={pad.left - 4} y={sy(t.at) + 4} textAnchor="end" fontSize="10" fill="#4a5568">
            {t.label}
          </text>
        ))}
        <text x={(pad.left + W - pad.right) / 2} y={H - 4} textAnchor="middle" fontSize="11" fill="#1d2433">
          {x}
        </text>
        <text x={12} y={(pad.top + H - pad.bottom) / 2} textAnchor="middle" fontSize="11" fill="#1d2433" transform={`rotate(-90 12 ${(pad.top + H - pad.bottom) / 2})`}>
          {y}
        </text>
        {xs.map((xv, i) => {
          const px = xAxis.position(xv);
          const py = yAxis.position(ys[i]);
          if (px === undefined || py === undefined) return null;
          return (
            <circle key={i} cx={sx(px)} cy={sy(py)} r={5} fill={SERIES_COLOURS[i % SERIES_COLOURS.length]} fillOpacity={0.8}>
              <title>{`${labels[i]}: ${x} ${formatValue(xv)}, ${y} ${formatValue(ys[i])}`}</title>
            </circle>
          );
        })}
      </svg>
    </figure>
  );
}
