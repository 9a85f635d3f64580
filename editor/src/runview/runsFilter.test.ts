import { describe, expect, it } from 'vitest';
import type { Run } from './apiTypes';
import { countsSummary, filtersFromQuery, filtersToQuery, listApiQuery, matchesFilters, reduceRuns, streamApiQuery } from './runsFilter';

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
    const q = new URLSearchParams(listApiQuery({ pipeline: 'iris', range: '1h', to: '2030-01-10' }, NOW, 'c1'));
    expect(q.get('createdFrom')).toBe('2030-01-10T11:00:00.000Z');
    expect(new Date(q.get('createdTo') ?? '').getTime()).toBe(new Date('2030-01-11T00:00:00').getTime());
    expect(q.get('taskCounts')).toBe('true');
    expect(q.get('cursor')).toBe('c1');
    expect(streamApiQuery({ status: 'failed', range: '1h' })).toBe('status=failed&taskCounts=true');
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

  it('summarises task counts, the telling states first', () => {
    expect(countsSummary({ succeeded: 3, failed: 1, waiting: 1 })).toBe('1 failed · 1 waiting for approval · 3 succeeded');
    expect(countsSummary(undefined)).toBe('');
  });
});
