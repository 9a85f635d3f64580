/**
 * The ExperimentStore contract: named groups of runs.
 * Part of the MetadataStore contract (../metadataStore.contract.ts runs it on every backend); it
 * gets the backend's shared store and uses fresh ids, so it also proves filtering among other rows.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { uid } from '../fixtures.contract';
import type { MetadataStore } from '../MetadataStore';

export function describeExperimentStoreContract(storeUnderTest: () => MetadataStore): void {
  describe('experiments', () => {
    let store: MetadataStore;
    beforeAll(() => {
      store = storeUnderTest();
    });

    it('keeps experiment names unique and refuses unknown runs', async () => {
      const name = `exp-${uid()}`;
      const first = await store.createExperiment({ id: `e-${uid()}`, name });
      expect(first.description).toBeNull();
      await expect(store.createExperiment({ id: `e-${uid()}`, name })).rejects.toMatchObject({ code: 'conflict' });
      await expect(store.addRunsToExperiment(first.id, [`missing-${uid()}`])).rejects.toMatchObject({ code: 'not_found' });
      expect((await store.listExperiments()).map((e) => e.name)).toContain(name);
      expect(await store.getExperiment(`missing-${uid()}`)).toBeUndefined();
    });
  });
}
