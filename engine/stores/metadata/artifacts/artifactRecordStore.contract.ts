/**
 * The ArtifactRecordStore contract: artifact records.
 * Part of the MetadataStore contract (../metadataStore.contract.ts runs it on every backend); it
 * gets the backend's shared store and uses fresh ids, so it also proves filtering among other rows.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { artifactInput, uid } from '../fixtures.contract';
import type { MetadataStore } from '../MetadataStore';

export function describeArtifactRecordStoreContract(storeUnderTest: () => MetadataStore): void {
  describe('artifacts', () => {
    let store: MetadataStore;
    beforeAll(() => {
      store = storeUnderTest();
    });

    it('records an artifact once and returns the stored row', async () => {
      const a = artifactInput(`a-${uid()}`);
      const stored = await store.recordArtifact(a);
      expect(stored).toEqual({ ...a, createdAt: expect.any(Date) as Date });
      const again = await store.recordArtifact({ ...a, uri: 'file:///elsewhere', size: 1 });
      expect(again).toEqual(stored);
      expect(await store.getArtifact(a.id)).toEqual(stored);
      expect(await store.getArtifact(`missing-${uid()}`)).toBeUndefined();
    });

    it('lists artifacts by type and name, oldest first, from a time on, limited', async () => {
      const type = `T${uid()}`;
      const a = await store.recordArtifact({ ...artifactInput(`a-${uid()}`), type, name: 'x' });
      const b = await store.recordArtifact({ ...artifactInput(`b-${uid()}`), type, name: 'y' });
      const c = await store.recordArtifact({ ...artifactInput(`c-${uid()}`), type, name: 'x' });
      await store.recordArtifact(artifactInput(`other-${uid()}`));
      expect(await store.listArtifacts({ type })).toEqual([a, b, c]);
      expect((await store.listArtifacts({ type, name: 'x' })).map((r) => r.id)).toEqual([a.id, c.id]);
      expect((await store.listArtifacts({ type, limit: 2 })).map((r) => r.id)).toEqual([a.id, b.id]);
      expect((await store.listArtifacts({ type, createdFrom: new Date(0) })).map((r) => r.id)).toEqual([a.id, b.id, c.id]);
      expect(await store.listArtifacts({ type, createdFrom: new Date(Date.now() + 3_600_000) })).toEqual([]);
    });

    it('keeps sizes beyond 32 bits', async () => {
      const a = { ...artifactInput(`big-${uid()}`), size: 5 * 2 ** 32 + 7 };
      expect((await store.recordArtifact(a)).size).toBe(5 * 2 ** 32 + 7);
    });
  });
}
