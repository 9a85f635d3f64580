/**
 * The runs list: filters (pipeline, status, trigger, time, experiment, an MLflow-style filter the
 * server parses) kept in the hash query, one row per run with its status, a summary of its tasks'
 * states, its experiment and the parameter and metric columns chosen (sortable by the server), live
 * over SSE (/api/runs/events), paged with "Load more". Each row links to the run view; checked rows
 * go to the compare view. A chosen metric column also draws across the runs over time.
 *
 * Hooks for end-to-end tests: each row is `data-testid="run-row-<runId>"` with `data-status`;
 * filter inputs are labelled "Pipeline", "Status", "Trigger", "Created", "From", "To", "Experiment",
 * "Filter"; row checkboxes "Select run <id>"; the "Compare" button; column choices in "Columns".
 */
import { useEffect, useMemo, useReducer, useRef, useState, type ReactElement } from 'react';
import { api, errorText, subscribe } from '../../api/client';
import { href, navigate, parseRoute } from '../../app/route';
import type { Experiment, JsonValue, RunListItem } from 'sluice/api';
import { formatDuration } from '../../runview/runState';
import { formatValue, MAX_COMPARED, metricOverRuns } from '../../compare/compareView';
import { formatNumber, LineChart } from '../../previews/LineChart';
import {
  countsSummary,
  emptyRunsList,
  filtersFromQuery,
  filtersToQuery,
  listApiQuery,
  pipelineFilterOptions,
  reduceRunsList,
  RUN_STATUSES,
  streamApiQuery,
  TIME_RANGES,
  type RunFilters,
  type RunsEvent,
  type RunsList,
  type TimeRange,
} from '../../runview/runsFilter';

const RANGE_LABEL: Record<TimeRange, string> = { '1h': 'last hour', '24h': 'last 24 hours', '7d': 'last 7 days', '30d': 'last 30 days' };
const TRIGGERS = ['api', 'cli', 'retry', 'schedule', 'trigger'];

function duration(run: RunListItem, now: number): string {
  if (!run.startedAt) return '';
  return formatDuration((run.finishedAt ? Date.parse(run.finishedAt) : now) - Date.parse(run.startedAt));
}

const cellText = (v: JsonValue | undefined): string => (typeof v === 'number' ? formatNumber(v) : formatValue(v));
const columnLabel = (c: string): string => c.replace(/^(params|metrics|tags)\./, '');
const shortTime = (ms: number): string => new Date(ms).toLocaleString(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });

/** How many of the listed runs are asked for their metric keys (a comparison reads every point of each run). */
const KEY_SAMPLE = 10;

/**
 * The parameter and metric keys the listed runs have, to offer as columns: parameters from the runs
 * themselves, metric keys from one comparison of the newest few (one request, not one per run;
 * runs of one pipeline log the same keys).
 */
function useAvailableColumns(runs: readonly RunListItem[]): { params: string[]; metrics: string[] } {
  const params = useMemo(() => [...new Set(runs.flatMap((r) => Object.keys(r.params)))].sort(), [runs]);
  const listed = runs.slice(0, KEY_SAMPLE);
  // Refetched when the runs or their status change (a finished run has its final metrics).
  const key = listed.map((r) => `${r.id}:${r.status}`).join(',');
  const [metrics, setMetrics] = useState<string[]>([]);
  useEffect(() => {
    const ids = key ? key.split(',').map((k) => k.slice(0, k.lastIndexOf(':'))) : [];
    if (ids.length === 0) return;
    let live = true;
    const keys =
      ids.length >= 2
        ? api.compareRuns({ query: { ids: ids.join(',') } }).then((c) => c.metrics.map((m) => m.key))
        : api.getRunMetrics({ params: { runId: ids[0] as string } }).then((m) => [...new Set(m.metrics.map((x) => x.key))]);
    keys.then((k) => live && setMetrics(k.sort())).catch(() => undefined); // no choices is all that is lost
    return () => {
      live = false;
    };
  }, [key]);
  return { params, metrics };
}

/** The experiments, for the experiment select (each run carries its own experiment). */
function useExperiments(): Experiment[] {
  const [experiments, setExperiments] = useState<Experiment[]>([]);
  useEffect(() => {
    let live = true;
    api
      .listExperiments({ query: {} })
      .then((r) => {
        if (live) setExperiments(r.experiments);
      })
      .catch(() => undefined); // the list works without experiments
    return () => {
      live = false;
    };
  }, []);
  return experiments;
}

export function RunsPage(props: { query: URLSearchParams }): ReactElement {
  const queryText = props.query.toString();
  const filters = useMemo(() => filtersFromQuery(new URLSearchParams(queryText)), [queryText]);
  const [list, dispatch] = useReducer((state: RunsList, a: { event: RunsEvent; filters: RunFilters }) => reduceRunsList(state, a.event, a.filters, Date.now()), undefined, emptyRunsList);
  const runs = list.runs;
  const [cursor, setCursor] = useState<string | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  /** One request id per filter set: pages answered for older filters are dropped. */
  const request = useRef(0);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [live, setLive] = useState(false);
  const [pipelines, setPipelines] = useState<string[]>([]);
  const [now, setNow] = useState(() => Date.now());
  const [selected, setSelected] = useState<readonly string[]>([]);
  const [filterText, setFilterText] = useState(filters.filter ?? '');
  useEffect(() => setFilterText(filters.filter ?? ''), [filters.filter]);
  const experiments = useExperiments();
  const available = useAvailableColumns(runs);
  const columns = filters.columns ?? [];
  const metricColumns = columns.filter((c) => c.startsWith('metrics.'));
  const [overTime, setOverTime] = useState<string | undefined>(undefined);
  const overTimeColumn = overTime && metricColumns.includes(overTime) ? overTime : metricColumns[0];
  const overTimeSeries = useMemo(() => (overTimeColumn ? metricOverRuns(runs, overTimeColumn) : []), [runs, overTimeColumn]);

  useEffect(() => {
    // Archived pipelines too: their runs are kept and stay findable.
    api
      .listPipelines({ query: { archived: 'true' } })
      .then((r) => setPipelines(r.pipelines.map((p) => p.name)))
      .catch(() => setPipelines([])); // the filter still offers "any" and the name it holds
  }, []);

  // A page for the filters, then the stream's changes (runs outside the filters are dropped).
  useEffect(() => {
    let closed = false;
    const id = ++request.current;
    dispatch({ event: { type: 'reset', request: id }, filters });
    setCursor(null);
    setLoadingMore(false);
    setLoading(true);
    setError(null);
    api
      .listRuns({ query: listApiQuery(filters, Date.now()) })
      .then((r) => {
        if (closed) return;
        dispatch({ event: { type: 'page', runs: r.runs, append: false, request: id }, filters });
        setCursor(r.nextCursor);
      })
      .catch((e: unknown) => !closed && setError(errorText(e)))
      .finally(() => !closed && setLoading(false));
    const close = subscribe(
      'streamRuns',
      { query: streamApiQuery(filters) },
      {
        snapshot: ({ runs }) => {
          setLive(true);
          dispatch({ event: { type: 'snapshot', runs }, filters });
        },
        run: ({ run }) => dispatch({ event: { type: 'run', run }, filters }),
      },
      () => setLive(false),
    );
    return () => {
      closed = true;
      close();
    };
  }, [filters]);

  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, []);

  const loadMore = (): void => {
    if (!cursor || loadingMore) return;
    const id = request.current;
    const current = (): boolean => id === request.current;
    setLoadingMore(true);
    api
      .listRuns({ query: listApiQuery(filters, Date.now(), cursor) })
      .then((r) => {
        if (!current()) return; // the filters changed meanwhile: these runs are of the old ones
        dispatch({ event: { type: 'page', runs: r.runs, append: true, request: id }, filters });
        setCursor(r.nextCursor);
      })
      .catch((e: unknown) => current() && setError(errorText(e)))
      .finally(() => current() && setLoadingMore(false));
  };

  /**
   * The filters the address holds now. Changes build on these, not on the rendered `filters`: the
   * address changes at once, the page only at its hashchange, and a second change in between (two
   * quick column ticks) would drop the first.
   */
  const filtersNow = (): RunFilters => {
    const route = parseRoute(window.location.hash);
    return route.view === 'runs' ? filtersFromQuery(route.query) : filters;
  };
  const setFilter = (patch: Partial<RunFilters>): void => {
    const next: RunFilters = { ...filtersNow(), ...patch };
    for (const k of Object.keys(patch) as (keyof RunFilters)[]) if (!patch[k]) delete next[k];
    navigate(href.runs(filtersToQuery(next)));
  };
  const toggleColumn = (c: string): void => {
    const now = filtersNow();
    const shown = now.columns ?? [];
    const next = shown.includes(c) ? shown.filter((x) => x !== c) : [...shown, c];
    setFilter({ columns: next.length ? next : undefined, ...(now.order?.startsWith(`${c} `) && !next.includes(c) ? { order: undefined } : {}) });
  };
  /** Descending first (the best accuracy on top), then ascending, then the default order. */
  const sortBy = (c: string): void => {
    const order = filtersNow().order;
    const next = order === `${c} desc` ? `${c} asc` : order === `${c} asc` ? undefined : `${c} desc`;
    setFilter({ order: next });
  };
  const toggleRun = (id: string): void => setSelected((s) => (s.includes(id) ? s.filter((x) => x !== id) : [...s, id]));
  const experimentOptions = [...new Set([...experiments.map((e) => e.name), ...(filters.experiment ? [filters.experiment] : [])])].sort((a, b) => a.localeCompare(b));
  const pipelineOptions = pipelineFilterOptions(pipelines, filters.pipeline);
  const filtered = Object.keys(filtersToQuery(filters)).length > 0;

  return (
    <main className="page runs-page">
      <div className="runs-head">
        <h1>Runs</h1>
        <span className={live ? 'live-dot' : 'muted'} role="status">
          {live ? 'live' : 'not live (reconnecting)'}
        </span>
      </div>
      <form
        className="filters"
        onSubmit={(e) => {
          e.preventDefault();
          setFilter({ filter: filterText.trim() || undefined });
        }}
        aria-label="Filter runs"
      >
        <label>
          Pipeline{' '}
          <select name="pipeline" value={filters.pipeline ?? ''} onChange={(e) => setFilter({ pipeline: e.target.value || undefined })}>
            <option value="">any</option>
            {pipelineOptions.map((p) => (
              <option key={p} value={p}>
                {p}
              </option>
            ))}
          </select>
        </label>
        <label>
          Status{' '}
          <select value={filters.status ?? ''} onChange={(e) => setFilter({ status: (e.target.value || undefined) as RunFilters['status'] })}>
            <option value="">any</option>
            {RUN_STATUSES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <label>
          Trigger{' '}
          <select value={filters.trigger ?? ''} onChange={(e) => setFilter({ trigger: e.target.value || undefined })}>
            <option value="">any</option>
            {[...new Set([...TRIGGERS, ...(filters.trigger ? [filters.trigger] : [])])].map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </select>
        </label>
        <label>
          Created{' '}
          <select value={filters.range ?? ''} onChange={(e) => setFilter({ range: (e.target.value || undefined) as TimeRange | undefined })}>
            <option value="">any time</option>
            {(Object.keys(TIME_RANGES) as TimeRange[]).map((r) => (
              <option key={r} value={r}>
                {RANGE_LABEL[r]}
              </option>
            ))}
          </select>
        </label>
        <label>
          From <input type="date" value={filters.from ?? ''} onChange={(e) => setFilter({ from: e.target.value || undefined })} />
        </label>
        <label>
          To <input type="date" value={filters.to ?? ''} onChange={(e) => setFilter({ to: e.target.value || undefined })} />
        </label>
        <label>
          Experiment{' '}
          <select value={filters.experiment ?? ''} onChange={(e) => setFilter({ experiment: e.target.value || undefined })}>
            <option value="">any</option>
            {experimentOptions.map((x) => (
              <option key={x} value={x}>
                {x}
              </option>
            ))}
          </select>
        </label>
        <label className="filter-text">
          Filter{' '}
          <input
            type="search"
            value={filterText}
            onChange={(e) => setFilterText(e.target.value)}
            placeholder="metrics.accuracy > 0.9 and params.epochs = 40"
            spellCheck={false}
            aria-describedby="filter-help"
          />
        </label>
        <span id="filter-help" className="sr-only">
          MLflow-style: metrics.KEY, params.KEY, tags.KEY, status compared with = != &lt; &gt; LIKE IN, clauses joined by and
        </span>
        <button type="submit">Apply</button>
        {filtered && (
          <button type="button" onClick={() => navigate(href.runs())}>
            Clear filters
          </button>
        )}
      </form>
      <div className="runs-tools">
        <details className="column-chooser">
          <summary>Columns{columns.length ? ` (${columns.length})` : ''}</summary>
          <fieldset>
            <legend>Parameters</legend>
            {available.params.length === 0 && <span className="muted">none in these runs</span>}
            {available.params.map((k) => (
              <label key={k}>
                <input type="checkbox" checked={columns.includes(`params.${k}`)} onChange={() => toggleColumn(`params.${k}`)} /> {k}
              </label>
            ))}
          </fieldset>
          <fieldset>
            <legend>Metrics</legend>
            {available.metrics.length === 0 && <span className="muted">none in these runs</span>}
            {available.metrics.map((k) => (
              <label key={k}>
                <input type="checkbox" checked={columns.includes(`metrics.${k}`)} onChange={() => toggleColumn(`metrics.${k}`)} /> {k}
              </label>
            ))}
          </fieldset>
        </details>
        <button type="button" disabled={selected.length < 2 || selected.length > MAX_COMPARED} onClick={() => navigate(href.compare(selected))}>
          Compare{selected.length ? ` ${selected.length} runs` : ''}
        </button>
        {selected.length > 0 && (
          <button type="button" onClick={() => setSelected([])}>
            Clear selection
          </button>
        )}
        <span className="muted">{selected.length < 2 ? 'Check two or more runs to compare them.' : selected.length > MAX_COMPARED ? `At most ${MAX_COMPARED} runs at once.` : ''}</span>
      </div>
      {error && (
        <p className="error-text" role="alert">
          Could not list the runs: {error}
        </p>
      )}
      {loading && runs.length === 0 && <p role="status">Loading runs…</p>}
      {!loading && runs.length === 0 && !error && <p className="muted">No runs{filtered ? ' match these filters' : ' yet: start one with `sluice run` or from a pipeline'}.</p>}
      {runs.length > 0 && (
        <table className="runs-table data-table">
          <caption className="sr-only">Runs, newest first</caption>
          <thead>
            <tr>
              <th scope="col">
                <span className="sr-only">Selected</span>
              </th>
              <th scope="col">Run</th>
              <th scope="col">Pipeline</th>
              <th scope="col">Experiment</th>
              <th scope="col">Status</th>
              <th scope="col">Tasks</th>
              <th scope="col">Trigger</th>
              <th scope="col">Created</th>
              <th scope="col">Duration</th>
              {columns.map((c) => {
                const sorted = filters.order === `${c} asc` ? 'ascending' : filters.order === `${c} desc` ? 'descending' : undefined;
                return (
                  <th key={c} scope="col" aria-sort={sorted} className="value-column">
                    {c.startsWith('tags.') ? (
                      columnLabel(c)
                    ) : (
                      <button type="button" className="sort-button" onClick={() => sortBy(c)} title={`Sort by ${c}`}>
                        {columnLabel(c)}
                        <span aria-hidden="true">{sorted === 'ascending' ? ' ▲' : sorted === 'descending' ? ' ▼' : ''}</span>
                      </button>
                    )}
                  </th>
                );
              })}
            </tr>
          </thead>
          <tbody>
            {runs.map((r) => (
              <tr key={r.id} data-testid={`run-row-${r.id}`} data-status={r.status} aria-selected={selected.includes(r.id)}>
                <td>
                  <input type="checkbox" aria-label={`Select run ${r.id}`} checked={selected.includes(r.id)} onChange={() => toggleRun(r.id)} />
                </td>
                <td>
                  <a href={href.run(r.id)}>{r.id}</a>
                </td>
                <td>
                  <a href={href.runs({ ...filtersToQuery(filters), pipeline: r.pipelineName })} title={`Only runs of ${r.pipelineName}`}>
                    {r.pipelineName}
                  </a>
                </td>
                <td>
                  {r.experiment ? (
                    <a href={href.runs({ ...filtersToQuery(filters), experiment: r.experiment.name })} title="Only runs of this experiment">
                      {r.experiment.name}
                    </a>
                  ) : (
                    <span className="muted">—</span>
                  )}
                </td>
                <td>
                  <span className={`run-status status-${r.status}`}>{r.status}</span>
                </td>
                <td className="task-summary">{countsSummary(r.taskCounts) || <span className="muted">no tasks started</span>}</td>
                <td>{typeof r.trigger.kind === 'string' ? r.trigger.kind : ''}</td>
                <td>
                  <time dateTime={r.createdAt}>{new Date(r.createdAt).toLocaleString()}</time>
                </td>
                <td>{duration(r, now)}</td>
                {columns.map((c) => (
                  <td key={c} className="value-column" data-column={c}>
                    {cellText(r.columns?.[c])}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {cursor && (
        <p>
          <button type="button" onClick={loadMore} disabled={loadingMore}>
            Load more
          </button>
        </p>
      )}
      {overTimeColumn && overTimeSeries.length > 0 && (
        <section className="metric-over-runs" aria-label="Metric over runs">
          <h2>
            <label>
              Over runs:{' '}
              <select value={overTimeColumn} onChange={(e) => setOverTime(e.target.value)}>
                {metricColumns.map((c) => (
                  <option key={c} value={c}>
                    {columnLabel(c)}
                  </option>
                ))}
              </select>
            </label>
          </h2>
          <LineChart title={`${columnLabel(overTimeColumn)} over runs`} series={overTimeSeries} xLabel="run created" yLabel={columnLabel(overTimeColumn)} formatX={shortTime} dots width={640} height={240} />
          <p className="muted">The latest value of each listed run, by when it was created{cursor ? ' (load more runs to reach further back)' : ''}.</p>
        </section>
      )}
    </main>
  );
}
