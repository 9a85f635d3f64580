/**
 * The runs list: filters (pipeline, status, trigger, time) kept in the hash query, one row per run
 * with its status and a summary of its tasks' states, live over SSE (/api/runs/events), paged with
 * "Load more". Each row links to the run view.
 *
 * Hooks for end-to-end tests: each row is `data-testid="run-row-<runId>"` with `data-status`;
 * filter inputs are labelled "Pipeline", "Status", "Trigger", "Created", "From", "To".
 */
import { useEffect, useMemo, useReducer, useRef, useState, type ReactElement } from 'react';
import { ApiError, api, subscribe } from '../../api/client';
import { href, navigate } from '../../app/route';
import type { RunListItem } from 'sluice/api';
import { formatDuration } from '../../runview/runState';
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
      .catch((e: unknown) => !closed && setError(e instanceof ApiError || e instanceof Error ? e.message : String(e)))
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
      .catch((e: unknown) => current() && setError(e instanceof ApiError || e instanceof Error ? e.message : String(e)))
      .finally(() => current() && setLoadingMore(false));
  };

  const setFilter = (patch: Partial<RunFilters>): void => {
    const next: RunFilters = { ...filters, ...patch };
    for (const k of Object.keys(patch) as (keyof RunFilters)[]) if (!patch[k]) delete next[k];
    navigate(href.runs(filtersToQuery(next)));
  };
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
      <form className="filters" onSubmit={(e) => e.preventDefault()} aria-label="Filter runs">
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
        <button type="submit">Apply</button>
        {filtered && (
          <button type="button" onClick={() => navigate(href.runs())}>
            Clear filters
          </button>
        )}
      </form>
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
              <th scope="col">Run</th>
              <th scope="col">Pipeline</th>
              <th scope="col">Status</th>
              <th scope="col">Tasks</th>
              <th scope="col">Trigger</th>
              <th scope="col">Created</th>
              <th scope="col">Duration</th>
            </tr>
          </thead>
          <tbody>
            {runs.map((r) => (
              <tr key={r.id} data-testid={`run-row-${r.id}`} data-status={r.status}>
                <td>
                  <a href={href.run(r.id)}>{r.id}</a>
                </td>
                <td>
                  <a href={href.runs({ ...filtersToQuery(filters), pipeline: r.pipelineName })} title={`Only runs of ${r.pipelineName}`}>
                    {r.pipelineName}
                  </a>
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
    </main>
  );
}
