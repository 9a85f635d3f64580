import { describe, expect, it } from 'vitest';
import { runBlocker } from './runBlocker';

describe('runBlocker', () => {
  it('blocks a saved, unchanged draft and names its version', () => {
    expect(runBlocker({ saved: { number: 3, draft: true }, dirty: false, problems: 2 })).toMatch(/^Version 3 is a draft/);
  });

  it('blocks changed or unsaved IR with problems, which Run would save as a draft', () => {
    expect(runBlocker({ saved: { number: 1, draft: false }, dirty: true, problems: 1 })).toMatch(/1 problem \(see Problems\)/);
    expect(runBlocker({ saved: undefined, dirty: true, problems: 2 })).toMatch(/2 problems/);
  });

  it('lets a runnable version run, and a draft once its problems are fixed (it is saved as a new version)', () => {
    expect(runBlocker({ saved: { number: 1, draft: false }, dirty: false, problems: 0 })).toBeUndefined();
    expect(runBlocker({ saved: { number: 2, draft: true }, dirty: true, problems: 0 })).toBeUndefined();
    expect(runBlocker({ saved: undefined, dirty: true, problems: 0 })).toBeUndefined();
  });
});
