/**
 * The RunStore contract: runs, their status, filters and paging.
 * Part of the MetadataStore contract (../metadataStore.contract.ts runs it on every backend); it
 * gets the backend's shared store and uses fresh ids, so it also proves filtering among other rows.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { pipelineSpec, runFixtures, uid } from '../fixtures.contract';
import type { MetadataStore } from '../MetadataStore';

export function describeRunStoreContract(storeUnderTest: () => MetadataStore): void {
  describe('runs', () => {
    let store: MetadataStore;
    beforeAll(() => {
      store = storeUnderTest();
    });
    const { newRun } = runFixtures(() => store);

    it('creates a pending run, idempotently', async () => {
      const { spec, version, run } = await newRun();
      expect(run).toMatchObject({
        pipelineVersionId: version.id,
        pipelineName: spec.name,
        status: 'pending',
        params: { lr: 0.1 },
        trigger: { kind: 'manual' },
        failedTask: null,
        error: null,
        outputs: null,
        startedAt: null,
        finishedAt: null,
      });
      expect(run.createdAt).toBeInstanceOf(Date);
      const again = await store.createRun({
        id: run.id,
        pipelineVersionId: version.id,
        params: { lr: 0.5 },
        trigger: { kind: 'cli' },
        workflowId: 'other',
      });
      expect(again).toEqual(run);
      expect(await store.getRun(run.id)).toEqual(run);
      expect(await store.getRun(`missing-${uid()}`)).toBeUndefined();
    });

    it('records a submitted run with its pipeline, version and experiment in one transaction, idempotently', async () => {
      const spec = pipelineSpec(`p${uid()}`);
      const experiment = await store.createExperiment({ id: `e-${uid()}`, name: `exp-${uid()}` });
      const run = { id: `r-${uid()}`, params: { lr: 0.2 }, trigger: { kind: 'api' }, workflowId: `wf-${uid()}` };
      const first = await store.recordSubmittedRun({ spec, digest: 'd1', run, experimentId: experiment.id });
      expect(first.version).toMatchObject({ pipelineName: spec.name, digest: 'd1', spec });
      expect(first.run).toMatchObject({ ...run, pipelineVersionId: first.version.id, pipelineName: spec.name, status: 'pending' });
      expect(await store.recordSubmittedRun({ spec, digest: 'd1', run, experimentId: experiment.id })).toEqual(first);
      expect((await store.listRuns({ experimentId: experiment.id })).map((r) => r.id)).toEqual([run.id]);

      // An unknown experiment refuses the whole submission: no pipeline, no version, no run.
      const other = pipelineSpec(`p${uid()}`);
      const refused = { ...run, id: `r-${uid()}` };
      await expect(
        store.recordSubmittedRun({ spec: other, digest: 'd2', run: refused, experimentId: `missing-${uid()}` }),
      ).rejects.toMatchObject({ name: 'MetadataStoreError', code: 'not_found' });
      expect(await store.getRun(refused.id)).toBeUndefined();
      expect((await store.listPipelines()).map((p) => p.name)).not.toContain(other.name);
    });

    it('refuses a run of an unregistered version', async () => {
      await expect(
        store.createRun({ id: uid(), pipelineVersionId: `nope-${uid()}`, params: {}, trigger: {}, workflowId: 'w' }),
      ).rejects.toMatchObject({ name: 'MetadataStoreError', code: 'not_found' });
    });

    it('updates status and fields, filling in start and finish times', async () => {
      const { run } = await newRun();
      await store.updateRun(run.id, { status: 'running' });
      const running = await store.getRun(run.id);
      expect(running?.status).toBe('running');
      expect(running?.startedAt).toBeInstanceOf(Date);
      expect(running?.finishedAt).toBeNull();

      const finishedAt = new Date('2030-01-02T03:04:05.678Z');
      await store.updateRun(run.id, { status: 'succeeded', finishedAt, outputs: { model: 'artifact-1', acc: 0.9 } });
      const done = await store.getRun(run.id);
      expect(done).toMatchObject({ status: 'succeeded', outputs: { model: 'artifact-1', acc: 0.9 }, error: null });
      expect(done?.finishedAt?.toISOString()).toBe(finishedAt.toISOString());
      expect(done?.startedAt?.getTime()).toBe(running?.startedAt?.getTime());
    });

    it('never reopens a finished run', async () => {
      for (const final of ['succeeded', 'failed', 'cancelled'] as const) {
        const { run } = await newRun();
        await store.updateRun(run.id, { status: 'running' });
        await store.updateRun(run.id, { status: final, error: final === 'failed' ? 'boom' : null, failedTask: 'train' });
        const finished = await store.getRun(run.id);
        expect(finished?.finishedAt).toBeInstanceOf(Date);

        // A late or re-delivered update changes nothing: not the status, not the fields.
        await store.updateRun(run.id, { status: 'running', error: 'late', failedTask: null, outputs: { x: 1 } });
        await store.updateRun(run.id, { status: final === 'failed' ? 'succeeded' : 'failed' });
        expect(await store.getRun(run.id)).toEqual(finished);
      }
    });

    it('refuses to update an unknown run', async () => {
      await expect(store.updateRun(`missing-${uid()}`, { status: 'running' })).rejects.toMatchObject({
        code: 'not_found',
      });
    });

    it('lists runs newest first, filtered by pipeline and status, limited', async () => {
      const spec = pipelineSpec(`p${uid()}`);
      const version = await store.registerPipelineVersion(spec, 'd');
      const ids: string[] = [];
      for (let i = 0; i < 4; i++) {
        const id = `r${i}-${uid()}`;
        ids.push(id);
        await store.createRun({ id, pipelineVersionId: version.id, params: { i }, trigger: {}, workflowId: id });
      }
      await newRun(); // another pipeline's run, which the filter must leave out
      await store.updateRun(ids[1] ?? '', { status: 'failed', error: 'x' });
      await store.updateRun(ids[3] ?? '', { status: 'failed', error: 'y' });

      const all = await store.listRuns({ pipelineName: spec.name });
      expect(all.map((r) => r.id)).toEqual([...ids].reverse());
      expect(all.every((r) => r.pipelineName === spec.name)).toBe(true);

      const failed = await store.listRuns({ pipelineName: spec.name, status: 'failed' });
      expect(failed.map((r) => r.id)).toEqual([ids[3], ids[1]]);

      const newest = await store.listRuns({ pipelineName: spec.name, limit: 2 });
      expect(newest.map((r) => r.id)).toEqual([ids[3], ids[2]]);

      const anyPipeline = await store.listRuns({ status: 'failed', limit: 1000 });
      expect(anyPipeline.map((r) => r.id)).toEqual(expect.arrayContaining([ids[1], ids[3]]));
      expect(anyPipeline.every((r) => r.status === 'failed')).toBe(true);
      expect((await store.listRuns()).length).toBeGreaterThanOrEqual(5);
    });

    it('round-trips JSON values exactly', async () => {
      const { version } = await newRun();
      const params = { s: 'ünï "quoted" \\ 🚀', n: -1.5e-7, b: false, z: null, list: [1, [2, { a: [] }]], o: {} };
      const run = await store.createRun({
        id: uid(),
        pipelineVersionId: version.id,
        params,
        trigger: { kind: 'schedule', cron: '0 * * * *' },
        workflowId: 'w',
      });
      expect((await store.getRun(run.id))?.params).toEqual(params);
    });

    it('filters runs by trigger kind, creation time and experiment, and pages with a cursor', async () => {
      const spec = pipelineSpec(`p${uid()}`);
      const version = await store.registerPipelineVersion(spec, 'd');
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        const id = `r${i}-${uid()}`;
        ids.push(id);
        await store.createRun({ id, pipelineVersionId: version.id, params: {}, trigger: { kind: i % 2 ? 'api' : 'cli' }, workflowId: id });
      }
      const mine = { pipelineName: spec.name };
      expect((await store.listRuns({ ...mine, triggerKind: 'api' })).map((r) => r.id)).toEqual([ids[3], ids[1]]);

      // Keyset pages: newest first, no run twice, none left out.
      const page1 = await store.listRuns({ ...mine, limit: 2 });
      const page2 = await store.listRuns({ ...mine, limit: 2, after: page1[1]?.id ?? '' });
      const page3 = await store.listRuns({ ...mine, limit: 2, after: page2[1]?.id ?? '' });
      expect([...page1, ...page2, ...page3].map((r) => r.id)).toEqual([...ids].reverse());
      expect(await store.listRuns({ ...mine, after: `missing-${uid()}` })).toEqual([]);

      const all = await store.listRuns(mine);
      const newest = all[0]?.createdAt ?? new Date();
      expect((await store.listRuns({ ...mine, createdFrom: new Date(newest.getTime() + 1) })).length).toBe(0);
      expect((await store.listRuns({ ...mine, createdTo: new Date(newest.getTime() + 1) })).length).toBe(5);
      expect((await store.listRuns({ ...mine, createdFrom: new Date(0), createdTo: new Date(0) })).length).toBe(0);

      const exp = await store.createExperiment({ id: `e-${uid()}`, name: `exp-${uid()}`, description: 'compare' });
      expect(exp).toMatchObject({ description: 'compare', runCount: 0 });
      await store.addRunsToExperiment(exp.id, [ids[0] ?? '', ids[2] ?? '', ids[0] ?? '']);
      await store.addRunsToExperiment(exp.id, [ids[2] ?? '']); // idempotent
      expect((await store.listRuns({ experimentId: exp.id })).map((r) => r.id)).toEqual([ids[2], ids[0]]);
      expect((await store.getExperiment(exp.name))?.runCount).toBe(2);
      expect(await store.removeRunFromExperiment(exp.id, ids[0] ?? '')).toBe(true);
      expect(await store.removeRunFromExperiment(exp.id, ids[0] ?? '')).toBe(false);
      expect((await store.getExperiment(exp.id))?.runCount).toBe(1);
    });

    it('counts runs by status', async () => {
      const before = await store.countRunsByStatus();
      const { run } = await newRun();
      await store.updateRun(run.id, { status: 'failed', error: 'x' });
      const after = await store.countRunsByStatus();
      expect(after.failed).toBe(before.failed + 1);
      expect(Object.keys(after).sort()).toEqual(['cancelled', 'failed', 'pending', 'running', 'succeeded']);
    });
  });
}
