/**
 * The PipelineStore contract: pipelines and their versions.
 * Part of the MetadataStore contract (../metadataStore.contract.ts runs it on every backend); it
 * gets the backend's shared store and uses fresh ids, so it also proves filtering among other rows.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { pipelineSpec, uid } from '../fixtures.contract';
import type { MetadataStore } from '../MetadataStore';

export function describePipelineStoreContract(storeUnderTest: () => MetadataStore): void {
  describe('pipelines', () => {
    let store: MetadataStore;
    beforeAll(() => {
      store = storeUnderTest();
    });

    it('registers a pipeline version once per digest', async () => {
      const spec = pipelineSpec(`p${uid()}`);
      const first = await store.registerPipelineVersion(spec, 'd1');
      const again = await store.registerPipelineVersion(spec, 'd1');
      expect(again.id).toBe(first.id);
      expect(again.pipelineId).toBe(first.pipelineId);
      expect(first.pipelineName).toBe(spec.name);
      expect(first.digest).toBe('d1');
      expect(first.spec).toEqual(spec);
      expect(first.createdAt).toBeInstanceOf(Date);

      const second = await store.registerPipelineVersion({ ...spec, description: 'changed' }, 'd2');
      expect(second.id).not.toBe(first.id);
      expect(second.pipelineId).toBe(first.pipelineId);

      const pipelines = (await store.listPipelines()).filter((p) => p.name === spec.name);
      expect(pipelines).toHaveLength(1);
      expect(pipelines[0]?.id).toBe(first.pipelineId);
    });

    it('stores a new layout for a version without making a new one', async () => {
      const spec = pipelineSpec(`p${uid()}`);
      const first = await store.registerPipelineVersion(spec, 'd1');
      const moved = { ...spec, ui: { viewport: { x: 10, y: 20, zoom: 0.5 } } };
      const updated = await store.updatePipelineVersionLayout(first.id, moved);
      expect(updated.id).toBe(first.id);
      expect(updated.digest).toBe('d1');
      expect((await store.getPipelineVersion(first.id))?.spec).toEqual(moved);
      // Registering the same digest again (a CLI run of the source) keeps the editor's layout.
      await store.registerPipelineVersion(spec, 'd1');
      expect((await store.getPipelineVersion(first.id))?.spec).toEqual(moved);
    });

    it('marks drafts, and archives and restores a pipeline with its versions kept', async () => {
      const spec = pipelineSpec(`p${uid()}`);
      const valid = await store.registerPipelineVersion(spec, 'd1');
      const draft = await store.registerPipelineVersion({ ...spec, description: 'draft' }, 'd2', { draft: true });
      expect(valid.draft).toBe(false);
      expect(draft.draft).toBe(true);
      expect((await store.getPipelineVersion(draft.id))?.draft).toBe(true);
      expect((await store.listPipelineVersions({ pipelineId: valid.pipelineId })).map((v) => v.draft).sort()).toEqual([false, true]);

      expect((await store.listPipelines()).find((p) => p.id === valid.pipelineId)?.archivedAt).toBeNull();
      const archived = await store.setPipelineArchived(valid.pipelineId, true);
      expect(archived?.archivedAt).toBeInstanceOf(Date);
      expect((await store.listPipelineVersions({ pipelineId: valid.pipelineId })).length).toBe(2);
      expect((await store.setPipelineArchived(valid.pipelineId, false))?.archivedAt).toBeNull();
      expect(await store.setPipelineArchived(`missing-${uid()}`, true)).toBeUndefined();
    });

    it('survives concurrent registration of the same version', async () => {
      const spec = pipelineSpec(`p${uid()}`);
      const versions = await Promise.all([1, 2, 3].map(() => store.registerPipelineVersion(spec, 'same')));
      expect(new Set(versions.map((v) => v.id)).size).toBe(1);
    });

    it('reads a version back, and nothing for an unknown id', async () => {
      const spec = pipelineSpec(`p${uid()}`);
      const version = await store.registerPipelineVersion(spec, 'd');
      expect(await store.getPipelineVersion(version.id)).toEqual(version);
      expect(await store.getPipelineVersion(`missing-${uid()}`)).toBeUndefined();
    });

    it('lists pipeline versions newest first, without their IR', async () => {
      const spec = pipelineSpec(`p${uid()}`);
      const v1 = await store.registerPipelineVersion(spec, 'd1');
      const v2 = await store.registerPipelineVersion({ ...spec, description: 'two' }, 'd2');
      const versions = await store.listPipelineVersions({ pipelineId: v1.pipelineId });
      expect(versions.map((v) => v.id).sort()).toEqual([v1.id, v2.id].sort());
      expect(versions[0]).not.toHaveProperty('spec');
      expect(versions[0]).toMatchObject({ pipelineName: spec.name });
      expect((await store.listPipelineVersions()).length).toBeGreaterThanOrEqual(2);
    });
  });
}
