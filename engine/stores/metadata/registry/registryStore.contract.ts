/**
 * The RegistryStore contract: registered models, versions, aliases and their audit history.
 * Part of the MetadataStore contract (../metadataStore.contract.ts runs it on every backend); it
 * gets the backend's shared store and uses fresh ids, so it also proves filtering among other rows.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { artifactInput, uid } from '../fixtures.contract';
import type { MetadataStore } from '../MetadataStore';

export function describeRegistryStoreContract(storeUnderTest: () => MetadataStore): void {
  describe('model registry', () => {
    let store: MetadataStore;
    beforeAll(() => {
      store = storeUnderTest();
    });

    const modelArtifact = async () => (await store.recordArtifact({ ...artifactInput(`m-${uid()}`), type: 'Model' })).id;
    /** A model with `n` versions. */
    const modelWithVersions = async (n: number) => {
      const name = `model-${uid()}`;
      for (let i = 0; i < n; i++) await store.registerModelVersion({ model: name, artifactId: await modelArtifact(), createdBy: 'alice' });
      return name;
    };

    it('numbers versions per model, creating the model on first registration; each points at its Model artifact', async () => {
      const name = `model-${uid()}`;
      const a = await modelArtifact();
      const first = await store.registerModelVersion({ model: name, artifactId: a, createdBy: 'alice', description: 'first try', tags: { team: 'ml' } });
      expect(first).toEqual({
        created: true,
        version: { model: name, version: 1, artifactId: a, description: 'first try', tags: { team: 'ml' }, createdBy: 'alice', sourceExecutionId: null, createdAt: expect.any(Date) as Date, aliases: [] },
      });
      const second = await store.registerModelVersion({ model: name, artifactId: await modelArtifact(), createdBy: 'bob' });
      expect(second.version.version).toBe(2);
      expect((await store.listModelVersions(name)).map((v) => v.version)).toEqual([2, 1]);
      expect(await store.getModelVersion(name, 1)).toEqual(first.version);
      expect(await store.getModelVersion(name, 3)).toBeUndefined();
      const model = await store.getRegisteredModel(name);
      expect(model).toMatchObject({ name, description: null, tags: {}, latestVersion: 2, aliases: {} });
      expect((await store.listRegisteredModels()).map((m) => m.name)).toContain(name);
      expect(await store.getRegisteredModel(`missing-${uid()}`)).toBeUndefined();
    });

    it('registers a retried execution once: the same source execution finds its version', async () => {
      const name = `model-${uid()}`;
      const a = await modelArtifact();
      const input = { model: name, artifactId: a, createdBy: 'run r task t', sourceExecutionId: `exec-${uid()}` };
      const [x, y] = await Promise.all([store.registerModelVersion(input), store.registerModelVersion(input)]);
      expect([x.created, y.created].sort()).toEqual([false, true]);
      expect(x.version).toEqual(y.version);
      expect((await store.registerModelVersion(input)).created).toBe(false);
      expect(await store.listModelVersions(name)).toHaveLength(1);
    });

    it('refuses an artifact that is not a Model, and one that does not exist, writing nothing', async () => {
      const name = `model-${uid()}`;
      const dataset = await store.recordArtifact(artifactInput(`d-${uid()}`));
      await expect(store.registerModelVersion({ model: name, artifactId: dataset.id, createdBy: 'alice' })).rejects.toMatchObject({ code: 'invalid', message: expect.stringContaining('is a Dataset, not a Model') as string });
      await expect(store.registerModelVersion({ model: name, artifactId: `missing-${uid()}`, createdBy: 'alice' })).rejects.toMatchObject({ code: 'not_found' });
      expect(await store.getRegisteredModel(name)).toBeUndefined();
    });

    it('moves aliases with a note, keeps who moved which alias from which version to which, and removes them', async () => {
      const name = await modelWithVersions(3);
      const move = (alias: string, version: number | null, actor = 'alice', note = `to ${version}`) => store.moveModelAlias({ model: name, alias, version, actor, note });
      expect(await move('champion', 1)).toMatchObject({ moved: true, event: { model: name, alias: 'champion', fromVersion: null, toVersion: 1, actor: 'alice', note: 'to 1' } });
      await move('challenger', 2, 'ci');
      await move('champion', 2, 'bob', 'challenger won the A/B test');
      expect((await store.getRegisteredModel(name))?.aliases).toEqual({ champion: 2, challenger: 2 });
      expect((await store.getModelVersion(name, 2))?.aliases).toEqual(['challenger', 'champion']);
      // A move to where it points changes nothing and adds no history.
      const same = await move('champion', 2, 'carol');
      expect(same).toMatchObject({ moved: false, event: { actor: 'bob', toVersion: 2 } });
      await move('challenger', null, 'ci', 'retired');
      expect((await store.getRegisteredModel(name))?.aliases).toEqual({ champion: 2 });
      const history = await store.listModelAliasEvents(name);
      expect(history.map((e) => [e.alias, e.fromVersion, e.toVersion, e.actor, e.note])).toEqual([
        ['champion', null, 1, 'alice', 'to 1'],
        ['challenger', null, 2, 'ci', 'to 2'],
        ['champion', 1, 2, 'bob', 'challenger won the A/B test'],
        ['challenger', 2, null, 'ci', 'retired'],
      ]);
      expect(history.every((e) => e.createdAt instanceof Date)).toBe(true);
      expect((await store.listModelAliasEvents(name, { alias: 'champion' })).map((e) => e.toVersion)).toEqual([1, 2]);
    });

    it('refuses moves to unknown models and versions, and removing an absent alias', async () => {
      const name = await modelWithVersions(1);
      await expect(store.moveModelAlias({ model: `missing-${uid()}`, alias: 'champion', version: 1, actor: 'a', note: 'n' })).rejects.toMatchObject({ code: 'not_found' });
      await expect(store.moveModelAlias({ model: name, alias: 'champion', version: 9, actor: 'a', note: 'n' })).rejects.toMatchObject({ code: 'not_found', message: expect.stringContaining('no version 9') as string });
      await expect(store.moveModelAlias({ model: name, alias: 'champion', version: null, actor: 'a', note: 'n' })).rejects.toMatchObject({ code: 'not_found' });
      expect(await store.listModelAliasEvents(name)).toEqual([]);
    });

    it('compare-and-set: a move expecting another version than the current one is refused', async () => {
      const name = await modelWithVersions(3);
      await store.moveModelAlias({ model: name, alias: 'champion', version: 1, expectedVersion: null, actor: 'a', note: 'first' });
      await expect(store.moveModelAlias({ model: name, alias: 'champion', version: 3, expectedVersion: 2, actor: 'b', note: 'stale' })).rejects.toMatchObject({
        code: 'conflict',
        message: expect.stringContaining('points at version 1, not version 2') as string,
      });
      await store.moveModelAlias({ model: name, alias: 'champion', version: 3, expectedVersion: 1, actor: 'b', note: 'fresh' });
      expect((await store.getRegisteredModel(name))?.aliases).toEqual({ champion: 3 });
    });

    it('serialises concurrent moves of one alias: none is lost, each starts where the previous ended', async () => {
      const name = await modelWithVersions(6);
      await store.moveModelAlias({ model: name, alias: 'champion', version: 1, actor: 'setup', note: 'start' });
      // Blind moves at once: every one is recorded, and the history is one chain.
      await Promise.all([2, 3, 4, 5, 6].map((v) => store.moveModelAlias({ model: name, alias: 'champion', version: v, actor: `p${v}`, note: `to ${v}` })));
      const history = await store.listModelAliasEvents(name, { alias: 'champion' });
      expect(history).toHaveLength(6);
      for (let i = 1; i < history.length; i++) expect(history[i]?.fromVersion).toBe(history[i - 1]?.toVersion);
      expect((await store.getRegisteredModel(name))?.aliases.champion).toBe(history.at(-1)?.toVersion);

      // Moves that each expect the version they saw: exactly one wins, the others are told.
      const current = history.at(-1)?.toVersion ?? null;
      const targets = [1, 2, 3, 4, 5, 6].filter((v) => v !== current).slice(0, 3);
      const outcomes = await Promise.allSettled(
        targets.map((v) => store.moveModelAlias({ model: name, alias: 'champion', version: v, expectedVersion: current, actor: `q${v}`, note: `cas to ${v}` })),
      );
      expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
      for (const o of outcomes) if (o.status === 'rejected') expect(o.reason).toMatchObject({ code: 'conflict' });
      expect(await store.listModelAliasEvents(name, { alias: 'champion' })).toHaveLength(7);
    });

    it('a retried move with the same request key changes nothing and returns the first move', async () => {
      const name = await modelWithVersions(2);
      const input = { model: name, alias: 'challenger', version: 2, actor: 'run r', note: 'blessed', requestKey: `exec-${uid()}` };
      const first = await store.moveModelAlias(input);
      await store.moveModelAlias({ model: name, alias: 'challenger', version: 1, actor: 'alice', note: 'rollback' });
      const again = await store.moveModelAlias(input);
      expect(again).toEqual({ moved: false, event: first.event });
      expect((await store.getRegisteredModel(name))?.aliases).toEqual({ challenger: 1 });
    });

    it('updates descriptions and tags of models and versions; a null tag removes it', async () => {
      const name = await modelWithVersions(1);
      const model = await store.updateRegisteredModel(name, { description: 'iris classifier', tags: { team: 'ml', owner: 'alice' } });
      expect(model).toMatchObject({ description: 'iris classifier', tags: { team: 'ml', owner: 'alice' } });
      expect((await store.updateRegisteredModel(name, { tags: { owner: null } })).tags).toEqual({ team: 'ml' });
      const version = await store.updateModelVersion(name, 1, { description: 'baseline', tags: { dataset: 'iris-v1' } });
      expect(version).toMatchObject({ description: 'baseline', tags: { dataset: 'iris-v1' } });
      await expect(store.updateModelVersion(name, 5, { description: 'x' })).rejects.toMatchObject({ code: 'not_found' });
      await expect(store.updateRegisteredModel(`missing-${uid()}`, { description: 'x' })).rejects.toMatchObject({ code: 'not_found' });
    });
  });
}
