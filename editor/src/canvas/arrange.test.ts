import { describe, expect, it } from 'vitest';
import { setInput } from '../edit/bindings';
import { moveNodes } from '../edit/nodeUi';
import { inputsOf, irisSpec } from '../edit/testdata/fixtures';
import { arrangePositions } from './arrange';

describe('Arrange', () => {
  it('yields positions that apply to the IR as it is when elk finishes (regression: a stale laid-out copy replaced later edits)', async () => {
    const before = irisSpec();
    const pending = arrangePositions(before);
    // An edit lands while elk runs.
    const current = setInput(before, 'split', 'stratifyBy', { const: 'species' });
    const positions = await pending;
    const arranged = moveNodes(current, positions);
    expect(inputsOf(arranged, 'split')['stratifyBy']).toEqual({ const: 'species' });
    for (const id of Object.keys(before.dag.tasks)) {
      const p = positions.get(id);
      expect(p).toBeDefined();
      expect(arranged.dag.tasks[id]?.ui).toMatchObject({ x: Math.round(p?.x ?? NaN), y: Math.round(p?.y ?? NaN) });
    }
  });
});
