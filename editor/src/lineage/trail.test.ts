import { describe, expect, it } from 'vitest';
import { parseTrail, pushTrail } from './trail';

describe('the breadcrumb trail', () => {
  it('appends new places and cuts back to a place visited before', () => {
    let t = pushTrail([], { kind: 'model', id: 'm', name: 'Model m' });
    t = pushTrail(t, { kind: 'artifact', id: 'd', name: 'Dataset d' });
    t = pushTrail(t, { kind: 'run', id: 'r', name: 'iris run r' });
    expect(t.map((e) => e.id)).toEqual(['m', 'd', 'r']);
    t = pushTrail(t, { kind: 'artifact', id: 'm', name: 'Model m' });
    expect(t.map((e) => e.id)).toEqual(['m']);
  });

  it('keeps at most the limit, dropping the oldest', () => {
    let t = pushTrail([], { kind: 'artifact', id: '0', name: '0' });
    for (let i = 1; i < 20; i++) t = pushTrail(t, { kind: 'artifact', id: String(i), name: String(i) }, 5);
    expect(t.map((e) => e.id)).toEqual(['15', '16', '17', '18', '19']);
  });

  it('reads stored trails tolerantly', () => {
    expect(parseTrail('not json')).toEqual([]);
    expect(parseTrail(JSON.stringify([{ kind: 'artifact', id: 'a', name: 'A' }, { kind: 'nope', id: 'b', name: 'B' }, 7]))).toEqual([{ kind: 'artifact', id: 'a', name: 'A' }]);
    expect(parseTrail(null)).toEqual([]);
  });
});
