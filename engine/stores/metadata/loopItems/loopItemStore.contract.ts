/**
 * The LoopItemStore contract: loop items' outcomes.
 * Part of the MetadataStore contract (../metadataStore.contract.ts runs it on every backend); it
 * gets the backend's shared store and uses fresh ids, so it also proves filtering among other rows.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { runFixtures, uid } from '../fixtures.contract';
import type { MetadataStore } from '../MetadataStore';

export function describeLoopItemStoreContract(storeUnderTest: () => MetadataStore): void {
  describe('loop items', () => {
    let store: MetadataStore;
    beforeAll(() => {
      store = storeUnderTest();
    });
    const { newRun } = runFixtures(() => store);

    const artifact = (id: string) => ({ kind: 'artifact' as const, artifactId: id, type: 'Model', uri: `file:///${id}`, sha256: 'cd'.repeat(32) });

    it('upserts items and lists them by index, optionally by status', async () => {
      const { run } = await newRun();
      await store.recordLoopItems(run.id, 'sweep', [
        { index: 2, status: 'failed', outputs: {}, error: 'diverged' },
        { index: 0, status: 'succeeded', outputs: { acc: { kind: 'parameter', value: 0.9 }, model: artifact('m0') } },
      ]);
      await store.recordLoopItems(run.id, 'sweep', [
        { index: 1, status: 'skipped', outputs: {} },
        // A re-recorded item replaces its row.
        { index: 2, status: 'succeeded', outputs: { acc: { kind: 'parameter', value: 0.7 } } },
      ]);
      await store.recordLoopItems(run.id, 'outer[1]/inner', [{ index: 0, status: 'cancelled', outputs: {} }]);

      const items = await store.listLoopItems(run.id, 'sweep');
      expect(items.map(({ updatedAt, ...rest }) => (expect(updatedAt).toBeInstanceOf(Date), rest))).toEqual([
        { index: 0, status: 'succeeded', outputs: { acc: { kind: 'parameter', value: 0.9 }, model: artifact('m0') }, error: null },
        { index: 1, status: 'skipped', outputs: {}, error: null },
        { index: 2, status: 'succeeded', outputs: { acc: { kind: 'parameter', value: 0.7 } }, error: null },
      ]);
      expect((await store.listLoopItems(run.id, 'sweep', { status: 'succeeded' })).map((i) => i.index)).toEqual([0, 2]);
      expect((await store.listLoopItems(run.id, 'outer[1]/inner')).map((i) => i.status)).toEqual(['cancelled']);
      expect(await store.listLoopItems(run.id, 'other')).toEqual([]);
    });

    it('takes a large batch, and the last of duplicated indexes', async () => {
      const { run } = await newRun();
      const items = Array.from({ length: 2500 }, (_, index) => ({
        index,
        status: 'succeeded' as const,
        outputs: { v: { kind: 'parameter' as const, value: index } },
      }));
      await store.recordLoopItems(run.id, 'big', [...items, { index: 7, status: 'failed', outputs: {}, error: 'x' }]);
      const stored = await store.listLoopItems(run.id, 'big');
      expect(stored).toHaveLength(2500);
      expect(stored[2499]?.outputs).toEqual({ v: { kind: 'parameter', value: 2499 } });
      expect(stored[7]).toMatchObject({ status: 'failed', error: 'x' });
    });

    it('refuses items of an unknown run', async () => {
      await expect(
        store.recordLoopItems(`missing-${uid()}`, 'l', [{ index: 0, status: 'succeeded', outputs: {} }]),
      ).rejects.toMatchObject({ code: 'not_found' });
    });
  });
}
