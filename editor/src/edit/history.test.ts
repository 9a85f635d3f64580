import { describe, expect, it } from 'vitest';
import { emptyPipeline } from './emptyPipeline';
import { HISTORY_LIMIT, historyReducer, initialHistory } from './history';

describe('history', () => {
  it('undoes and redoes; a new edit clears the redo list', () => {
    const a = emptyPipeline('a');
    const b = emptyPipeline('b');
    const c = emptyPipeline('c');
    let h = historyReducer(historyReducer(initialHistory(a), { type: 'apply', spec: b }), { type: 'apply', spec: c });
    h = historyReducer(h, { type: 'undo' });
    expect(h.present).toBe(b);
    h = historyReducer(h, { type: 'undo' });
    expect(h.present).toBe(a);
    expect(historyReducer(h, { type: 'undo' })).toBe(h);
    h = historyReducer(h, { type: 'redo' });
    expect(h.present).toBe(b);
    h = historyReducer(h, { type: 'apply', spec: a });
    expect(h.future).toEqual([]);
    expect(historyReducer(h, { type: 'redo' })).toBe(h);
  });

  it('an identical or deep-equal apply is a no-op (regression: unchanged fields made undo steps); history is bounded', () => {
    const a = emptyPipeline('a');
    const h = initialHistory(a);
    expect(historyReducer(h, { type: 'apply', spec: a })).toBe(h);
    expect(historyReducer(h, { type: 'apply', spec: emptyPipeline('a') })).toBe(h);
    expect(historyReducer(h, { type: 'apply', spec: emptyPipeline('z') }).past).toEqual([a]);
    let long = h;
    for (let i = 0; i < HISTORY_LIMIT + 20; i++) long = historyReducer(long, { type: 'apply', spec: emptyPipeline(`p${i}`) });
    expect(long.past.length).toBe(HISTORY_LIMIT);
  });
});
