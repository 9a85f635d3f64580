import { describe, expect, it } from 'vitest';
import { parseRunFilter, parseRunOrder, RunFilterError } from './runFilter';

describe('the run search filter', () => {
  it("parses the issue's example into typed clauses", () => {
    expect(parseRunFilter("metrics.accuracy > 0.9 and params.epochs = 40 and tags.team = 'vision' and status = 'succeeded'")).toEqual([
      { entity: 'metric', key: 'accuracy', op: '>', value: 0.9 },
      { entity: 'param', key: 'epochs', op: '=', value: 40 },
      { entity: 'tag', key: 'team', op: '=', value: 'vision' },
      { entity: 'attribute', key: 'status', op: '=', value: ['succeeded'] },
    ]);
  });

  it("reads MLflow's spellings: prefixes, quoted keys, LIKE, IN, its status names", () => {
    expect(parseRunFilter('metrics.`val loss` <= 1e-3 AND params."lr" LIKE \'0.0%\' and attributes.status IN (\'FINISHED\', "KILLED") and run.run_id != \'abc\'')).toEqual([
      { entity: 'metric', key: 'val loss', op: '<=', value: 0.001 },
      { entity: 'param', key: 'lr', op: 'like', value: '0.0%' },
      { entity: 'attribute', key: 'status', op: 'in', value: ['succeeded', 'cancelled'] },
      { entity: 'attribute', key: 'run_id', op: '!=', value: ['abc'] },
    ]);
    expect(parseRunFilter("tags.note = 'it''s'")).toEqual([{ entity: 'tag', key: 'note', op: '=', value: "it's" }]);
    expect(parseRunFilter('  ')).toEqual([]);
  });

  it.each([
    ['metrics.accuracy > high', 'high'],
    ["metrics.accuracy > 'high'", "'high'"],
    ['tags.team = 3', '3'],
    ["params.a = 'x' or params.b = 'y'", 'or'],
    ["status = 'exploded'", 'exploded'],
    ["colour = 'red'", 'colour'],
    ["metrics.acc = 1; drop table runs", ';'],
    ["tags.team = 'vision", "'vision"],
    ['metrics. > 1', 'metrics.'],
    ['metrics.acc > 0.9 and', 'end of the filter'],
  ])('refuses %s, naming %s', (filter, token) => {
    let error: unknown;
    try {
      parseRunFilter(filter);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(RunFilterError);
    expect((error as RunFilterError).code).toBe('bad-filter');
    expect((error as RunFilterError).message).toContain(token);
  });

  it('parses orderings and refuses unknown ones', () => {
    expect(parseRunOrder(['metrics.accuracy DESC', 'start_time'])).toEqual([
      { by: { entity: 'metric', key: 'accuracy' }, descending: true },
      { by: { entity: 'attribute', key: 'start_time' }, descending: false },
    ]);
    // Any parameter too (numerically where it holds a number), as the issue asks of run search.
    expect(parseRunOrder(['params.lr desc'])).toEqual([{ by: { entity: 'param', key: 'lr' }, descending: true }]);
    expect(() => parseRunOrder(['tags.team'])).toThrow(RunFilterError);
    expect(() => parseRunOrder(['metrics.a b'])).toThrow(RunFilterError);
  });
});
