import { describe, expect, it } from 'vitest';
import type { RunListItem as Run } from 'sluice/api';
import { countsSummary, emptyRunsList, filtersFromQuery, filtersToQuery, listApiQuery, matchesFilters, pipelineFilterOptions, reduceRuns, reduceRunsList, streamApiQuery, type RunsList } from './runsFilter';

const NOW = Date.parse('2030-01-10T12:00:00Z');
const run = (id: string, over: Partial<Run> = {}): Run => ({
  id,
  pipelineVersionId: 'v',
  pipelineName: 'iris',
  status: 'running',
  params: {},
  trigger: { kind: 'api' },
  workflowId: `run-${id}`,
  failedTask: null,
  error: null,
  outputs: null,
  createdAt: '2030-01-10T11:30:00.000Z',
  startedAt: null,
  finishedAt: null,
  ...over,
});

describe('runs list filters', () => {
  it('round-trips through the hash query, dropping nonsense', () => {
    const q = new URLSearchParams('pipeline=iris&status=failed&trigger=schedule&range=24h&from=2030-01-01&to=2030-01-09&junk=1');
    const f = filtersFromQuery(q);
    expect(f).toEqual({ pipeline: 'iris', status: 'failed', trigger: 'schedule', range: '24h', from: '2030-01-01', to: '2030-01-09' });
    expect(filtersFromQuery(new URLSearchParams(filtersToQuery(f)))).toEqual(f);
    expect(filtersFromQuery(new URLSearchParams('status=exploded&range=1y&from=yesterday&trigger=%3Cscript%3E'))).toEqual({});
  });

  it('builds the API queries: times as instants, counts asked for', () => {
    const q = listApiQuery({ pipeline: 'iris', range: '1h', to: '2030-01-10' }, NOW, 'c1');
    expect(q.createdFrom).toBe('2030-01-10T11:00:00.000Z');
    expect(new Date(q.createdTo ?? '').getTime()).toBe(new Date('2030-01-11T00:00:00').getTime());
    expect(q).toMatchObject({ pipeline: 'iris', taskCounts: 'true', cursor: 'c1', limit: 50 });
    expect(streamApiQuery({ status: 'failed', range: '1h' })).toEqual({ status: 'failed', taskCounts: 'true' });
  });

  it('keeps the MLflow-style filter, experiment, order and columns in the hash and hands them to the API', () => {
    const q = new URLSearchParams('filter=metrics.accuracy+%3E+0.9&experiment=tuning&order=metrics.loss+asc&cols=params.epochs,metrics.loss,bogus');
    const f = filtersFromQuery(q);
    expect(f).toEqual({ filter: 'metrics.accuracy > 0.9', experiment: 'tuning', order: 'metrics.loss asc', columns: ['params.epochs', 'metrics.loss'] });
    expect(filtersFromQuery(new URLSearchParams(filtersToQuery(f)))).toEqual(f);
    expect(listApiQuery(f, NOW)).toMatchObject({ filter: 'metrics.accuracy > 0.9', experiment: 'tuning', orderBy: 'metrics.loss asc', columns: 'params.epochs,metrics.loss' });
    expect(filtersFromQuery(new URLSearchParams('order=DROP+TABLE'))).toEqual({});
  });

  it('under a server-side filter or order, the stream updates listed runs (keeping their columns) but adds none and keeps the order', () => {
    const f = { order: 'metrics.loss asc', columns: ['metrics.loss'] };
    let list = reduceRuns([], { type: 'page', runs: [run('old', { createdAt: '2030-01-10T10:00:00.000Z', columns: { 'metrics.loss': 0.1 } }), run('new', { columns: { 'metrics.loss': 0.5 } })], append: false }, f, NOW);
    list = reduceRuns(list, { type: 'run', run: run('other') }, f, NOW);
    list = reduceRuns(list, { type: 'run', run: run('old', { createdAt: '2030-01-10T10:00:00.000Z', status: 'succeeded', finishedAt: '2030-01-10T11:59:00.000Z' }) }, f, NOW);
    expect(list.map((r) => [r.id, r.status, r.columns])).toEqual([
      ['old', 'succeeded', { 'metrics.loss': 0.1 }],
      ['new', 'running', { 'metrics.loss': 0.5 }],
    ]);
  });

  it('a stream event (which carries no experiment) keeps the experiment the page gave the run', () => {
    const experiment = { id: 'e1', name: 'vision' };
    let list = reduceRuns([], { type: 'page', runs: [run('a', { experiment })], append: false }, {}, NOW);
    list = reduceRuns(list, { type: 'run', run: run('a', { status: 'succeeded', finishedAt: '2030-01-10T11:59:00.000Z' }) }, {}, NOW);
    expect(list.map((r) => [r.id, r.status, r.experiment])).toEqual([['a', 'succeeded', experiment]]);
  });

  it('matches runs by every filter', () => {
    expect(matchesFilters(run('a'), { pipeline: 'iris', status: 'running', trigger: 'api', range: '1h' }, NOW)).toBe(true);
    expect(matchesFilters(run('a'), { range: '1h' }, NOW + 3_600_000)).toBe(false);
    expect(matchesFilters(run('a'), { trigger: 'schedule' }, NOW)).toBe(false);
  });

  it('applies the live stream: upserts, keeps counts, drops runs that leave the filter, newest first', () => {
    let list = reduceRuns([], { type: 'page', runs: [run('a', { taskCounts: { running: 1 } })], append: false }, { status: 'running' }, NOW);
    list = reduceRuns(list, { type: 'run', run: run('b', { createdAt: '2030-01-10T11:45:00.000Z' }) }, { status: 'running' }, NOW);
    expect(list.map((r) => r.id)).toEqual(['b', 'a']);
    list = reduceRuns(list, { type: 'snapshot', runs: [run('a'), run('x', { pipelineName: 'other' })] }, { status: 'running', pipeline: 'iris' }, NOW);
    expect(list.find((r) => r.id === 'a')?.taskCounts).toEqual({ running: 1 });
    expect(list.map((r) => r.id)).not.toContain('x');
    list = reduceRuns(list, { type: 'run', run: run('a', { status: 'succeeded' }) }, { status: 'running' }, NOW);
    expect(list.map((r) => r.id)).toEqual(['b']);
  });

  it('never lets a page undo what the stream already said about a run', () => {
    const f = {};
    let list = reduceRuns([], { type: 'run', run: run('a', { status: 'succeeded', startedAt: '2030-01-10T11:31:00.000Z', finishedAt: '2030-01-10T11:40:00.000Z', taskCounts: { succeeded: 3 } }) }, f, NOW);
    // The first page was read before the run finished.
    list = reduceRuns(list, { type: 'page', runs: [run('a', { startedAt: '2030-01-10T11:31:00.000Z', taskCounts: { running: 1 } }), run('b')], append: false }, f, NOW);
    expect(list.find((r) => r.id === 'a')).toMatchObject({ status: 'succeeded', taskCounts: { succeeded: 3 } });
    expect(list.map((r) => r.id).sort()).toEqual(['a', 'b']);
    // A newer record still replaces an older one.
    list = reduceRuns(list, { type: 'page', runs: [run('b', { status: 'failed', finishedAt: '2030-01-10T11:50:00.000Z' })], append: true }, f, NOW);
    expect(list.find((r) => r.id === 'b')?.status).toBe('failed');
  });

  it('drops a "Load more" page answered for filters that changed meanwhile', () => {
    const failed = { status: 'failed' as const };
    const running = { status: 'running' as const };
    let state: RunsList = reduceRunsList(emptyRunsList(), { type: 'reset', request: 1 }, failed, NOW);
    state = reduceRunsList(state, { type: 'page', runs: [run('f1', { status: 'failed' })], append: false, request: 1 }, failed, NOW);
    // "Load more" is asked for request 1; the filter changes to running before it answers.
    state = reduceRunsList(state, { type: 'reset', request: 2 }, running, NOW);
    expect(state.runs).toEqual([]);
    state = reduceRunsList(state, { type: 'run', run: run('r2') }, running, NOW);
    state = reduceRunsList(state, { type: 'page', runs: [run('f2', { status: 'failed' })], append: true, request: 1 }, failed, NOW);
    expect(state.runs.map((r) => r.id)).toEqual(['r2']);
    // The new filters' first page keeps the run the stream brought before it.
    state = reduceRunsList(state, { type: 'page', runs: [run('r1')], append: false, request: 2 }, running, NOW);
    expect(state.runs.map((r) => r.id).sort()).toEqual(['r1', 'r2']);
  });

  it('summarises task counts, the telling states first', () => {
    expect(countsSummary({ succeeded: 3, failed: 1, waiting: 1 })).toBe('1 failed · 1 waiting for approval · 3 succeeded');
    expect(countsSummary(undefined)).toBe('');
  });
});

describe('the pipeline filter (issue 12)', () => {
  it('offers every pipeline by name, sorted, and keeps a filtered name the list does not hold (a deleted pipeline, a link)', () => {
    expect(pipelineFilterOptions(['sweep', 'iris', 'e2e-iris'], undefined)).toEqual(['e2e-iris', 'iris', 'sweep']);
    expect(pipelineFilterOptions(['sweep', 'iris'], 'iris')).toEqual(['iris', 'sweep']);
    expect(pipelineFilterOptions(['sweep', 'iris'], 'gone')).toEqual(['gone', 'iris', 'sweep']);
    expect(pipelineFilterOptions([], 'iris')).toEqual(['iris']);
  });
});
