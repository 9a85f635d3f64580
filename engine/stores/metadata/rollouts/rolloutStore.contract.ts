/**
 * The RolloutStore contract: a model's running rollout (the traffic split the model server reads),
 * its updates and end, one running rollout per model, and the decision log. Part of the
 * MetadataStore contract (../metadataStore.contract.ts runs it on every backend).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { MetadataStoreError } from '../errors';
import { artifactInput, uid } from '../fixtures.contract';
import type { MetadataStore } from '../MetadataStore';

export function describeRolloutStoreContract(storeUnderTest: () => MetadataStore): void {
  describe('model rollouts', () => {
    let store: MetadataStore;
    beforeAll(() => {
      store = storeUnderTest();
    });

    /** A model with two versions. */
    const twoVersions = async () => {
      const name = `model-${uid()}`;
      for (let i = 0; i < 2; i++) {
        const { id } = await store.recordArtifact({ ...artifactInput(`m-${uid()}`), type: 'Model' });
        await store.registerModelVersion({ model: name, artifactId: id, createdBy: 'alice' });
      }
      return name;
    };
    const start = (model: string, id = `ro-${uid()}`) =>
      store.startModelRollout({ id, model, mode: 'canary', baselineVersion: 1, candidateVersion: 2, weight: 10, plan: { steps: [10, 50, 100] }, createdBy: 'alice', workflowId: `wf-${id}` });

    it('starts a running rollout, idempotently by id, and the server reads it as the active one', async () => {
      const model = await twoVersions();
      const id = `ro-${uid()}`;
      const first = await start(model, id);
      expect(first).toEqual({
        created: true,
        rollout: {
          id,
          model,
          mode: 'canary',
          baselineVersion: 1,
          candidateVersion: 2,
          weight: 10,
          step: -1,
          state: 'running',
          plan: { steps: [10, 50, 100] },
          reason: null,
          workflowId: `wf-${id}`,
          createdBy: 'alice',
          createdAt: expect.any(Date) as Date,
          updatedAt: expect.any(Date) as Date,
          finishedAt: null,
        },
      });
      expect(await start(model, id)).toEqual({ created: false, rollout: first.rollout });
      expect(await store.getActiveModelRollout(model)).toEqual(first.rollout);
      expect(await store.getModelRollout(id)).toEqual(first.rollout);
      expect(await store.getActiveModelRollout(await twoVersions())).toBeUndefined();
    });

    it('refuses a second running rollout of a model, unknown versions and weights outside 0–100', async () => {
      const model = await twoVersions();
      const first = await start(model);
      await expect(start(model)).rejects.toMatchObject({ code: 'conflict', message: expect.stringContaining(first.rollout.id) as string });
      await expect(store.startModelRollout({ id: `ro-${uid()}`, model, mode: 'ab', baselineVersion: 1, candidateVersion: 7, weight: 50, plan: {}, createdBy: 'a' })).rejects.toMatchObject({
        code: 'not_found',
        message: expect.stringContaining('no version 7') as string,
      });
      await expect(store.updateModelRollout(first.rollout.id, { weight: 101 })).rejects.toBeInstanceOf(MetadataStoreError);
      await expect(store.updateModelRollout(first.rollout.id, { weight: -1 })).rejects.toMatchObject({ code: 'invalid' });
    });

    it('updates weight and step, ends a rollout once (a retried end is a no-op), and frees the model for the next', async () => {
      const model = await twoVersions();
      const { rollout } = await start(model);
      expect(await store.updateModelRollout(rollout.id, { weight: 50, step: 1 })).toMatchObject({ weight: 50, step: 1, state: 'running', finishedAt: null });
      const ended = await store.updateModelRollout(rollout.id, { state: 'rolled-back', weight: 0, reason: 'error rate 12% > 1%' });
      expect(ended).toMatchObject({ state: 'rolled-back', weight: 0, reason: 'error rate 12% > 1%', finishedAt: expect.any(Date) as Date });
      expect(await store.updateModelRollout(rollout.id, { state: 'rolled-back', weight: 0 })).toEqual(ended);
      await expect(store.updateModelRollout(rollout.id, { weight: 10 })).rejects.toMatchObject({ code: 'conflict' });
      await expect(store.updateModelRollout(rollout.id, { state: 'promoted' })).rejects.toMatchObject({ code: 'conflict' });
      await expect(store.updateModelRollout(`ro-${uid()}`, { weight: 1 })).rejects.toMatchObject({ code: 'not_found' });
      expect(await store.getActiveModelRollout(model)).toBeUndefined();
      const next = await start(model);
      expect((await store.listModelRollouts(model)).map((r) => r.id)).toEqual([next.rollout.id, rollout.id]);
    });

    it('logs decisions with their figures, oldest first; a retried decision with the same key adds no row', async () => {
      const model = await twoVersions();
      const { rollout } = await start(model);
      const pass = { rolloutId: rollout.id, step: 0, weight: 10, action: 'pass' as const, figures: { requests: 120, errorRate: 0, p99Ms: 4.2 }, reason: 'gates held', requestKey: 'step-0' };
      const a = await store.recordRolloutDecision(pass);
      expect(a).toEqual({ id: expect.any(Number) as number, rolloutId: rollout.id, step: 0, weight: 10, action: 'pass', figures: pass.figures, reason: 'gates held', createdAt: expect.any(Date) as Date });
      expect(await store.recordRolloutDecision(pass)).toEqual(a);
      const b = await store.recordRolloutDecision({ rolloutId: rollout.id, step: 1, weight: 50, action: 'rollback', figures: { errorRate: 0.2 }, reason: 'error rate 20% > 1%' });
      expect(await store.listRolloutDecisions(rollout.id)).toEqual([a, b]);
      await expect(store.recordRolloutDecision({ ...pass, rolloutId: `ro-${uid()}` })).rejects.toMatchObject({ code: 'not_found' });
    });
  });
}
