/**
 * The ExperimentStore contract: named groups of runs.
 * Part of the MetadataStore contract (../metadataStore.contract.ts runs it on every backend); it
 * gets the backend's shared store and uses fresh ids, so it also proves filtering among other rows.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { runFixtures, uid } from '../fixtures.contract';
import type { MetadataStore } from '../MetadataStore';

export function describeExperimentStoreContract(storeUnderTest: () => MetadataStore): void {
  describe('experiments', () => {
    let store: MetadataStore;
    beforeAll(() => {
      store = storeUnderTest();
    });
    const { newRun } = runFixtures(() => store);

    it('keeps experiment names unique and refuses unknown runs', async () => {
      const name = `exp-${uid()}`;
      const first = await store.createExperiment({ id: `e-${uid()}`, name });
      expect(first.description).toBeNull();
      await expect(store.createExperiment({ id: `e-${uid()}`, name })).rejects.toMatchObject({ code: 'conflict' });
      await expect(store.addRunsToExperiment(first.id, [`missing-${uid()}`])).rejects.toMatchObject({ code: 'not_found' });
      expect((await store.listExperiments()).map((e) => e.name)).toContain(name);
      expect(await store.getExperiment(`missing-${uid()}`)).toBeUndefined();
    });

    it('renames an experiment, refusing a taken name', async () => {
      const a = await store.createExperiment({ id: `e-${uid()}`, name: `exp-${uid()}` });
      const b = await store.createExperiment({ id: `e-${uid()}`, name: `exp-${uid()}` });
      const renamed = `exp-${uid()}`;
      expect(await store.updateExperiment(a.id, { name: renamed, description: 'now with notes' })).toMatchObject({ id: a.id, name: renamed, description: 'now with notes' });
      expect((await store.getExperiment(renamed))?.id).toBe(a.id);
      await expect(store.updateExperiment(b.id, { name: renamed })).rejects.toMatchObject({ code: 'conflict' });
      expect((await store.getExperiment(b.id))?.name).toBe(b.name);
      expect(await store.updateExperiment(`missing-${uid()}`, { name: `exp-${uid()}` })).toBeUndefined();
    });

    it('archives an experiment: gone from the default listing, closed to new runs, its runs kept; restoring reopens it', async () => {
      const { run } = await newRun();
      const e = await store.createExperiment({ id: `e-${uid()}`, name: `exp-${uid()}` });
      await store.addRunsToExperiment(e.id, [run.id]);
      const archived = await store.updateExperiment(e.id, { archived: true });
      expect(archived?.archivedAt).toBeInstanceOf(Date);
      expect(archived?.runCount).toBe(1);
      expect((await store.listExperiments()).map((x) => x.id)).not.toContain(e.id);
      expect((await store.listExperiments({ includeArchived: true })).map((x) => x.id)).toContain(e.id);
      const { run: other } = await newRun();
      await expect(store.addRunsToExperiment(e.id, [other.id])).rejects.toMatchObject({ code: 'conflict' });
      expect((await store.updateExperiment(e.id, { archived: false }))?.archivedAt).toBeNull();
      await store.addRunsToExperiment(e.id, [other.id]);
      expect((await store.getExperiment(e.id))?.runCount).toBe(2);
    });

    it('keeps a run in at most one experiment: adding it to another moves it', async () => {
      const { run } = await newRun();
      const first = await store.createExperiment({ id: `e-${uid()}`, name: `exp-${uid()}` });
      const second = await store.createExperiment({ id: `e-${uid()}`, name: `exp-${uid()}` });
      await store.addRunsToExperiment(first.id, [run.id]);
      await store.addRunsToExperiment(second.id, [run.id]);
      expect((await store.getExperiment(first.id))?.runCount).toBe(0);
      expect((await store.getExperiment(second.id))?.runCount).toBe(1);
      expect((await store.experimentsOf([run.id])).get(run.id)).toEqual([second.id]);
      // A refused move leaves the run where it was.
      await expect(store.addRunsToExperiment(first.id, [run.id, `missing-${uid()}`])).rejects.toMatchObject({ code: 'not_found' });
      expect((await store.experimentsOf([run.id])).get(run.id)).toEqual([second.id]);
      // A list page reads each run's experiment, id and name, at once; a run of none is absent.
      const loose = await newRun();
      const refs = await store.experimentRefsOf([run.id, loose.run.id]);
      expect(refs.get(run.id)).toEqual({ id: second.id, name: second.name });
      expect(refs.has(loose.run.id)).toBe(false);
    });
  });
}
