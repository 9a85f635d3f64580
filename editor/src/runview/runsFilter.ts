/**
 * The runs list's filters, kept in the hash query (#/runs?pipeline=iris&status=failed&range=24h) so
 * a filtered list is a link to share, and the pure pieces around them: query string ↔ filters, the
 * API query for GET /api/runs and its event stream, the client-side match (stream events for runs
 * outside the filters are dropped), and the reduction of the stream into the list.
 */
import type { ApiRoutes, RequestOf, RunListItem, RunStatus } from 'sluice/api';

type ListRunsQuery = NonNullable<RequestOf<ApiRoutes['listRuns']>['query']>;
type StreamRunsQuery = NonNullable<RequestOf<ApiRoutes['streamRuns']>['query']>;

export const RUN_STATUSES: readonly RunStatus[] = ['pending', 'running', 'succeeded', 'failed', 'cancelled'];
export const TIME_RANGES = { '1h': 3_600_000, '24h': 86_400_000, '7d': 7 * 86_400_000, '30d': 30 * 86_400_000 } as const;
export type TimeRange = keyof typeof TIME_RANGES;

export interface RunFilters {
  pipeline?: string;
  status?: RunStatus;
  /** trigger.kind: api, cli, retry, schedule, trigger. */
  trigger?: string;
  /** A window ending now… */
  range?: TimeRange;
  /** …or explicit dates (YYYY-MM-DD, local days, `to` inclusive). */
  from?: string;
  to?: string;
  /** An MLflow-style filter the server parses (`metrics.accuracy > 0.9 and params.epochs = 40`). */
  filter?: string;
  /** Only runs of this experiment (id or name). */
  experiment?: string;
  /** One ordering the server applies: `metrics.<key>` or `params.<key>`, then asc or desc. */
  order?: string;
  /** Parameter and metric columns shown (`params.<key>`, `metrics.<key>`), in order. */
  columns?: string[];
}

const ORDER = /^(metrics|params)\.\S+ (asc|desc)$/;
const COLUMN = /^(metrics|params|tags)\.\S+$/;

/** Filters the server applies that the client cannot check on a stream event: the list then only updates runs it holds. */
export const serverSideFilters = (f: RunFilters): boolean => Boolean(f.filter || f.experiment || f.order);

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const TRIGGER = /^[A-Za-z][\w-]{0,62}$/;

/** Reads the filters from a hash query; values that make no sense are left out (never an error page). */
export function filtersFromQuery(query: URLSearchParams): RunFilters {
  const f: RunFilters = {};
  const pipeline = query.get('pipeline')?.trim();
  if (pipeline) f.pipeline = pipeline;
  const status = query.get('status');
  if (status && (RUN_STATUSES as readonly string[]).includes(status)) f.status = status as RunStatus;
  const trigger = query.get('trigger');
  if (trigger && TRIGGER.test(trigger)) f.trigger = trigger;
  const range = query.get('range');
  if (range && range in TIME_RANGES) f.range = range as TimeRange;
  const from = query.get('from');
  if (from && DATE.test(from)) f.from = from;
  const to = query.get('to');
  if (to && DATE.test(to)) f.to = to;
  const filter = query.get('filter')?.trim();
  if (filter) f.filter = filter;
  const experiment = query.get('experiment')?.trim();
  if (experiment) f.experiment = experiment;
  const order = query.get('order');
  if (order && ORDER.test(order)) f.order = order;
  const columns = (query.get('cols') ?? '')
    .split(',')
    .filter((c) => COLUMN.test(c));
  if (columns.length) f.columns = [...new Set(columns)];
  return f;
}

/** The hash query of the filters, in a fixed order (a stable link). */
export function filtersToQuery(f: RunFilters): Record<string, string> {
  const q: Record<string, string> = {};
  if (f.pipeline) q.pipeline = f.pipeline;
  if (f.status) q.status = f.status;
  if (f.trigger) q.trigger = f.trigger;
  if (f.range) q.range = f.range;
  if (f.from) q.from = f.from;
  if (f.to) q.to = f.to;
  if (f.filter) q.filter = f.filter;
  if (f.experiment) q.experiment = f.experiment;
  if (f.order) q.order = f.order;
  if (f.columns?.length) q.cols = f.columns.join(',');
  return q;
}

/** The instants the filters bound creation time to ([from, to)), for `now`. */
export function timeBounds(f: RunFilters, now: number): { from?: Date; to?: Date } {
  const bounds: { from?: Date; to?: Date } = {};
  if (f.range) bounds.from = new Date(now - TIME_RANGES[f.range]);
  if (f.from) {
    const d = new Date(`${f.from}T00:00:00`);
    if (!bounds.from || d > bounds.from) bounds.from = d;
  }
  if (f.to) {
    const d = new Date(`${f.to}T00:00:00`);
    d.setDate(d.getDate() + 1); // the whole last day
    bounds.to = d;
  }
  return bounds;
}

/** Query string for GET /api/runs (with task counts for the status summary). */
export function listApiQuery(f: RunFilters, now: number, cursor?: string): ListRunsQuery {
  const { from, to } = timeBounds(f, now);
  return {
    ...(f.pipeline ? { pipeline: f.pipeline } : {}),
    ...(f.status ? { status: f.status } : {}),
    ...(f.trigger ? { trigger: f.trigger } : {}),
    ...(from ? { createdFrom: from.toISOString() } : {}),
    ...(to ? { createdTo: to.toISOString() } : {}),
    ...(f.filter ? { filter: f.filter } : {}),
    ...(f.experiment ? { experiment: f.experiment } : {}),
    ...(f.order ? { orderBy: f.order } : {}),
    ...(f.columns?.length ? { columns: f.columns.join(',') } : {}),
    taskCounts: 'true',
    limit: 50,
    ...(cursor ? { cursor } : {}),
  };
}

/** The query of the runs event stream (it filters by pipeline, status and trigger itself). */
export function streamApiQuery(f: RunFilters): StreamRunsQuery {
  return {
    ...(f.pipeline ? { pipeline: f.pipeline } : {}),
    ...(f.status ? { status: f.status } : {}),
    ...(f.trigger ? { trigger: f.trigger } : {}),
    taskCounts: 'true',
  };
}

export function matchesFilters(run: RunListItem, f: RunFilters, now: number): boolean {
  if (f.pipeline && run.pipelineName !== f.pipeline) return false;
  if (f.status && run.status !== f.status) return false;
  if (f.trigger && run.trigger.kind !== f.trigger) return false;
  const { from, to } = timeBounds(f, now);
  const created = Date.parse(run.createdAt);
  if (from && created < from.getTime()) return false;
  if (to && created >= to.getTime()) return false;
  return true;
}

export type RunsEvent =
  /** The filters changed: a new request id, and the list starts over. */
  | { type: 'reset'; request: number }
  /** A page of GET /api/runs, for the request id current when it was asked for. */
  | { type: 'page'; runs: RunListItem[]; append: boolean; request?: number }
  | { type: 'snapshot'; runs: RunListItem[] }
  | { type: 'run'; run: RunListItem };

/** The runs list with the id of the request (one per filter set) whose pages it takes. */
export interface RunsList {
  runs: RunListItem[];
  request: number;
}
export const emptyRunsList = (): RunsList => ({ runs: [], request: 0 });

const FINAL_RUN: readonly string[] = ['succeeded', 'failed', 'cancelled'];
/** How far a run has gone: a run only moves forward (pending → running → final). */
const progress = (run: RunListItem): number => (FINAL_RUN.includes(run.status) ? 2 : run.status === 'running' ? 1 : 0);
/** When the run last changed status, as its record says (runs carry no updatedAt). */
const changedAt = (run: RunListItem): string => run.finishedAt ?? run.startedAt ?? run.createdAt;

/**
 * Whether `incoming` is at least as new as `held`: further along, or as far along and changed no
 * earlier. A page fetched before a stream event can then never undo it.
 */
function isNotOlder(incoming: RunListItem, held: RunListItem): boolean {
  const p = progress(incoming) - progress(held);
  if (p !== 0) return p > 0;
  return changedAt(incoming) >= changedAt(held);
}

/**
 * Upserts a run, newer record wins; a newer record keeps the counts, columns and experiment the older
 * one had when it carries none (stream events carry no columns or experiment). `onlyHeld`: a run not in the list stays out.
 */
function upsert(list: RunListItem[], run: RunListItem, onlyHeld = false): RunListItem[] {
  const i = list.findIndex((r) => r.id === run.id);
  if (i === -1) return onlyHeld ? list : [...list, run];
  const old = list[i] as RunListItem;
  if (!isNotOlder(run, old)) return list;
  let merged = run.taskCounts === undefined && old.taskCounts !== undefined ? { ...run, taskCounts: old.taskCounts } : run;
  if (merged.columns === undefined && old.columns !== undefined) merged = { ...merged, columns: old.columns };
  if (merged.experiment === undefined && old.experiment !== undefined) merged = { ...merged, experiment: old.experiment };
  return [...list.slice(0, i), merged, ...list.slice(i + 1)];
}

const newestFirst = (a: RunListItem, b: RunListItem): number => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : a.id < b.id ? 1 : -1);

/**
 * The list after an event: a page, a stream snapshot or run upserts (a newer record of a run wins,
 * so a page never undoes what the stream already said); the stream drops runs that no longer match
 * the filters (a run that left the status), and a first page drops runs of other filters.
 */
export function reduceRuns(list: RunListItem[], event: RunsEvent, f: RunFilters, now: number): RunListItem[] {
  // A server-side filter or order: the stream only updates the runs the pages brought, in their order.
  const serverSide = serverSideFilters(f);
  let next: RunListItem[];
  switch (event.type) {
    case 'reset':
      return [];
    case 'page':
      next = event.runs.reduce((l, r) => upsert(l, r), event.append ? list : list.filter((r) => matchesFilters(r, f, now)));
      break;
    case 'snapshot':
      next = event.runs.filter((r) => matchesFilters(r, f, now)).reduce((l, r) => upsert(l, r, serverSide), list);
      break;
    case 'run':
      next = matchesFilters(event.run, f, now) ? upsert(list, event.run, serverSide) : list.filter((r) => r.id !== event.run.id);
      break;
  }
  return f.order ? next : [...next].sort(newestFirst);
}

/**
 * The runs list with its request id: a reset (new filters) starts a new request and empties the list;
 * a page answered for an earlier request (a "Load more" still in flight when the filters changed)
 * is dropped instead of appending runs of the old filters.
 */
export function reduceRunsList(state: RunsList, event: RunsEvent, f: RunFilters, now: number): RunsList {
  if (event.type === 'reset') return { runs: [], request: event.request };
  if (event.type === 'page' && event.request !== undefined && event.request !== state.request) return state;
  const runs = reduceRuns(state.runs, event, f, now);
  return runs === state.runs ? state : { ...state, runs };
}

/** "3 succeeded · 1 running" from a run's task counts, most telling first. */
export function countsSummary(counts: Record<string, number> | undefined): string {
  if (!counts) return '';
  const order = ['failed', 'running', 'waiting', 'succeeded', 'cached', 'skipped', 'cancelled'];
  const keys = Object.keys(counts).sort((a, b) => (order.indexOf(a) === -1 ? 99 : order.indexOf(a)) - (order.indexOf(b) === -1 ? 99 : order.indexOf(b)));
  return keys
    .filter((k) => (counts[k] ?? 0) > 0)
    .map((k) => `${counts[k]} ${k === 'waiting' ? 'waiting for approval' : k}`)
    .join(' · ');
}

/**
 * The pipeline filter's choices: the pipelines' names (GET /api/pipelines), sorted, plus the name
 * the filter holds when the list lacks it (a link to a deleted pipeline's runs), so it stays shown.
 */
export function pipelineFilterOptions(names: readonly string[], current: string | undefined): string[] {
  const all = new Set(names);
  if (current) all.add(current);
  return [...all].sort((a, b) => a.localeCompare(b));
}
