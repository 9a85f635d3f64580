/**
 * The ExecutionStore contract: executions, their attempts, recorded executions and cache lookups.
 * Part of the MetadataStore contract (../metadataStore.contract.ts runs it on every backend); it
 * gets the backend's shared store and uses fresh ids, so it also proves filtering among other rows.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { artifactInput, runFixtures, uid } from '../fixtures.contract';
import type { FinishedExecution, MetadataStore } from '../MetadataStore';

export function describeExecutionStoreContract(storeUnderTest: () => MetadataStore): void {
  describe('executions', () => {
    let store: MetadataStore;
    beforeAll(() => {
      store = storeUnderTest();
    });
    const { newRun, startTask } = runFixtures(() => store);

    it('starts an execution and reads it back', async () => {
      const { run } = await newRun();
      const startedAt = new Date('2030-05-06T07:08:09.123Z');
      const e = await store.startExecution({
        id: `${run.id}/train`,
        runId: run.id,
        taskId: 'train',
        componentName: 'trainer',
        componentDigest: 'abc',
        attempt: 1,
        params: { epochs: 3 },
        cacheKey: 'key-1',
        startedAt,
      });
      expect(e).toEqual({
        id: `${run.id}/train`,
        runId: run.id,
        taskId: 'train',
        componentName: 'trainer',
        componentDigest: 'abc',
        status: 'running',
        attempt: 1,
        params: { epochs: 3 },
        outputParams: null,
        error: null,
        cacheKey: 'key-1',
        cachedFrom: null,
        startedAt,
        finishedAt: null,
      });
      expect(await store.getExecution(e.id)).toEqual(e);
      expect(await store.getExecution(`missing-${uid()}`)).toBeUndefined();
    });

    it('upserts a retried execution: one row, the newer attempt', async () => {
      const { run } = await newRun();
      const first = await startTask(run.id, 'train', 1);
      await store.finishExecution(first.id, { status: 'failed', error: 'OOM' });
      expect(await store.getExecution(first.id)).toMatchObject({ status: 'failed', error: 'OOM', attempt: 1 });

      const second = await startTask(run.id, 'train', 2);
      expect(second).toMatchObject({ id: first.id, attempt: 2, status: 'running', error: null, finishedAt: null });
      expect(await store.listExecutions(run.id)).toHaveLength(1);

      // A stale start of attempt 1 and a late finish of attempt 1 leave attempt 2 alone.
      expect(await startTask(run.id, 'train', 1)).toMatchObject({ attempt: 2, status: 'running' });
      await store.finishExecution(first.id, { status: 'failed', error: 'late', attempt: 1 });
      expect(await store.getExecution(first.id)).toMatchObject({ attempt: 2, status: 'running', error: null });

      await store.finishExecution(first.id, { status: 'succeeded', outputParams: { loss: 0.1 }, attempt: 2 });
      const done = await store.getExecution(first.id);
      expect(done).toMatchObject({ attempt: 2, status: 'succeeded', outputParams: { loss: 0.1 }, error: null });
      expect(done?.finishedAt).toBeInstanceOf(Date);

      // A re-delivered start of the same attempt does not reopen the finished execution.
      expect(await startTask(run.id, 'train', 2)).toEqual(done);
      expect(await store.listExecutions(run.id)).toEqual([done]);
    });

    it('records a cache hit with the execution it reused', async () => {
      const { run } = await newRun();
      const original = await startTask(run.id, 'a');
      await store.finishExecution(original.id, { status: 'succeeded' });
      const hit = await startTask(run.id, 'b');
      await store.finishExecution(hit.id, { status: 'cached', cachedFrom: original.id });
      expect(await store.getExecution(hit.id)).toMatchObject({ status: 'cached', cachedFrom: original.id });
    });

    it('starts an execution with its input events in one write', async () => {
      const { run } = await newRun();
      const data = await store.recordArtifact(artifactInput(`${run.id}/data-${uid()}`));
      const start = {
        id: `${run.id}/read`,
        runId: run.id,
        taskId: 'read',
        componentName: 'reader',
        componentDigest: 'r',
        attempt: 1,
        params: {},
        inputs: [
          { port: 'data', artifactId: data.id },
          { port: 'more[0]', artifactId: data.id },
        ],
      };
      const e = await store.startExecution(start);
      // Re-delivered (the same attempt, still running): still one row, no duplicate events.
      expect(await store.startExecution(start)).toEqual({ ...e, startedAt: expect.any(Date) as Date });
      expect(await store.listExecutions(run.id)).toHaveLength(1);
      expect(await store.listEvents({ executionId: e.id })).toEqual([
        { executionId: e.id, artifactId: data.id, kind: 'input', port: 'data' },
        { executionId: e.id, artifactId: data.id, kind: 'input', port: 'more[0]' },
      ]);
      // An unknown artifact refuses the whole start: no row without its events.
      await expect(store.startExecution({ ...start, id: `${run.id}/bad`, taskId: 'bad', inputs: [{ port: 'data', artifactId: `missing-${uid()}` }] })).rejects.toThrow();
      expect(await store.getExecution(`${run.id}/bad`)).toBeUndefined();
    });

    it('leaves a finished row alone when a later attempt of a queued step begins (its worker recorded it, then died before Temporal heard)', async () => {
      const { run } = await newRun();
      const first = await startTask(run.id, 'fit', 1);
      await store.finishExecution(first.id, { status: 'succeeded', outputParams: { y: 1 }, attempt: 1 });
      const done = await store.getExecution(first.id);
      // Temporal gave attempt 1 up for lost (heartbeat timeout) and starts attempt 2.
      const again = await store.beginExecution({ id: first.id, runId: run.id, taskId: 'fit', componentName: first.componentName, componentDigest: first.componentDigest, attempt: 2, params: {} });
      expect(again.started).toBe(false);
      expect(again.execution).toEqual(done);
      expect(await store.getExecution(first.id)).toEqual(done);
    });

    it('counts a local step’s attempts from its row: a lost attempt is taken over as the next one, a succeeded row is left alone', async () => {
      const { run } = await newRun();
      const local = { id: `${run.id}/light`, runId: run.id, taskId: 'light', componentName: 'l', componentDigest: 'l', params: {}, countAttemptsFromRow: true };
      expect(await store.startExecution({ ...local, attempt: 1 })).toMatchObject({ attempt: 1, status: 'running' });
      // Its worker died mid-step; Temporal starts the count again at 1.
      expect(await store.startExecution({ ...local, attempt: 1 })).toMatchObject({ attempt: 2, status: 'running' });
      await store.finishExecution(local.id, { status: 'failed', error: 'boom', attempt: 2 });
      // Temporal's own retry (attempt 2) after that failure: the row says it is the third.
      expect(await store.startExecution({ ...local, attempt: 2 })).toMatchObject({ attempt: 3, status: 'running', error: null });
      await store.finishExecution(local.id, { status: 'succeeded', outputParams: { y: 1 }, attempt: 3 });
      const done = await store.getExecution(local.id);
      expect(await store.startExecution({ ...local, attempt: 1 })).toEqual(done);
    });

    it('completes an execution with its output artifacts and events together, all or nothing', async () => {
      const { run } = await newRun();
      const started = await startTask(run.id, 'train');
      const model = { ...artifactInput(`${started.id}.model`), type: 'Model' };
      const records = await store.completeExecution(started.id, { attempt: 1, outputParams: { loss: 0.5 }, outputs: { model } });
      expect(records).toEqual({ model: { ...model, createdAt: expect.any(Date) as Date } });
      expect(await store.getExecution(started.id)).toMatchObject({ status: 'succeeded', outputParams: { loss: 0.5 }, attempt: 1 });
      expect(await store.listEvents({ executionId: started.id })).toEqual([{ executionId: started.id, artifactId: model.id, kind: 'output', port: 'model' }]);

      // Without outputs: the row alone.
      const plain = await startTask(run.id, 'plain');
      expect(await store.completeExecution(plain.id, { attempt: 1, outputParams: { n: 1 } })).toEqual({});
      expect(await store.getExecution(plain.id)).toMatchObject({ status: 'succeeded', outputParams: { n: 1 } });

      // An unknown execution: refused, and its artifact is not written either.
      const ghost = `missing-${uid()}`;
      await expect(store.completeExecution(ghost, { attempt: 1, outputParams: {}, outputs: { model: artifactInput(`${ghost}.model`) } })).rejects.toMatchObject({
        code: 'not_found',
      });
      expect(await store.getArtifact(`${ghost}.model`)).toBeUndefined();
    });

    describe('finished light steps (recordFinishedExecutions)', () => {
      const light = (runId: string, taskId: string, over: Partial<FinishedExecution> = {}): FinishedExecution => ({
        id: `${runId}/${taskId}`,
        runId,
        taskId,
        componentName: taskId,
        componentDigest: `c-${taskId}`,
        status: 'succeeded',
        attempt: 1,
        params: { x: 1 },
        outputParams: { y: 2 },
        cacheKey: `k-${uid()}`,
        startedAt: new Date('2030-01-01T00:00:00.000Z'),
        finishedAt: new Date('2030-01-01T00:00:00.250Z'),
        ...over,
      });

      it('writes the row in its final state with its events, output artifacts and metrics; readers see a normal execution', async () => {
        const { run } = await newRun();
        const data = await store.recordArtifact(artifactInput(`${run.id}.data`));
        const e = light(run.id, 'fit', { metrics: [{ key: 'loss', value: 0.5, step: 1, stepLabel: 'epoch' }, { key: 'loss', value: 0.25, step: 2 }, { key: 'loss', value: 0.2, step: 2 }, { key: 'odd', value: Number.NaN, step: 0 }] });
        const model = { ...artifactInput(`${e.id}.model`), type: 'Model' };
        const recorded = await store.recordFinishedExecution({ ...e, inputs: [{ port: 'data', artifactId: data.id }], outputs: { model } });
        expect(recorded).toEqual({ written: true, outputs: { model: { ...model, createdAt: expect.any(Date) as Date } } });
        expect(await store.getExecution(e.id)).toEqual({
          id: e.id, runId: run.id, taskId: 'fit', componentName: 'fit', componentDigest: 'c-fit', status: 'succeeded', attempt: 1,
          params: { x: 1 }, outputParams: { y: 2 }, error: null, cacheKey: e.cacheKey, cachedFrom: null, startedAt: e.startedAt, finishedAt: e.finishedAt,
        });
        expect(await store.listEvents({ executionId: e.id })).toEqual([
          { executionId: e.id, artifactId: data.id, kind: 'input', port: 'data' },
          { executionId: e.id, artifactId: model.id, kind: 'output', port: 'model' },
        ]);
        const points = await store.listMetrics({ runId: run.id });
        expect(points.map((m) => [m.key, m.step, m.value])).toEqual([['loss', 1, 0.5], ['loss', 2, 0.2], ['odd', 0, Number.NaN]]);
        // The run_latest_metrics trigger (migration 0011) saw them too: the runs list filters by it.
        expect((await store.latestMetrics([run.id], ['loss'])).get(run.id)).toEqual([{ key: 'loss', value: 0.2, step: 2 }]);
        expect(await store.findCachedExecution(e.cacheKey as string)).toMatchObject({ execution: { id: e.id }, outputs: { model: { id: model.id } } });
        expect(await store.countExecutionsByStatus([run.id])).toEqual(new Map([[run.id, { succeeded: 1 }]]));
      });

      it('keeps the params its own running attempt logged (an MLflow client in the task) when it finishes', async () => {
        const { run } = await newRun();
        const e = light(run.id, 'tracked');
        await store.beginExecution({ id: e.id, runId: run.id, taskId: e.taskId, componentName: e.componentName, componentDigest: e.componentDigest, attempt: 1, params: { x: 1 }, cacheKey: null });
        await store.logToExecution({ runId: run.id, executionId: e.id, tracked: false }, { params: [{ key: 'optimizer', value: 'adam' }] });
        expect((await store.recordFinishedExecution(e)).written).toBe(true);
        expect((await store.getExecution(e.id))?.params).toEqual({ x: 1, optimizer: 'adam' });
        // A later attempt starts clean: what the first one logged is not its own.
        const failed = light(run.id, 'again', { status: 'failed', error: 'boom', outputParams: null });
        await store.beginExecution({ id: failed.id, runId: run.id, taskId: failed.taskId, componentName: failed.componentName, componentDigest: failed.componentDigest, attempt: 1, params: { x: 1 }, cacheKey: null });
        await store.logToExecution({ runId: run.id, executionId: failed.id, tracked: false }, { params: [{ key: 'seed', value: '7' }] });
        await store.recordFinishedExecution(failed);
        expect((await store.recordFinishedExecution(light(run.id, 'again', { attempt: 2 }))).written).toBe(true);
        expect((await store.getExecution(failed.id))?.params).toEqual({ x: 1 });
      });

      it('is idempotent: the same step recorded again after a crash-replay duplicates nothing and keeps the finished row', async () => {
        const { run } = await newRun();
        const first = light(run.id, 'once', { metrics: [{ key: 'm', value: 1, step: 0 }] });
        const model = artifactInput(`${first.id}.out`);
        await store.recordFinishedExecution({ ...first, outputs: { out: model } });
        const before = await store.getExecution(first.id);
        // The replayed local activity ran again and reports other figures: the finished row wins.
        const again = await store.recordFinishedExecution({ ...first, outputParams: { y: 99 }, metrics: [{ key: 'm', value: 7, step: 0 }], outputs: { out: { ...model, sha256: 'cd'.repeat(32) } } });
        expect(again).toEqual({ written: false, outputs: {} });
        expect(await store.getExecution(first.id)).toEqual(before);
        expect(await store.listEvents({ executionId: first.id })).toHaveLength(1);
        expect((await store.listMetrics({ runId: run.id })).map((m) => m.value)).toEqual([1]);
        expect((await store.getArtifact(model.id))?.sha256).toBe(model.sha256);
        expect(await store.listExecutions(run.id)).toHaveLength(1);
      });

      it('takes over a failed or lost attempt, but never a newer one', async () => {
        const { run } = await newRun();
        await store.recordFinishedExecution(light(run.id, 'flaky', { status: 'failed', error: 'boom', outputParams: null, attempt: 1 }));
        expect(await store.getExecution(`${run.id}/flaky`)).toMatchObject({ status: 'failed', error: 'boom', attempt: 1 });
        expect((await store.recordFinishedExecution(light(run.id, 'flaky', { attempt: 2 }))).written).toBe(true);
        expect(await store.getExecution(`${run.id}/flaky`)).toMatchObject({ status: 'succeeded', error: null, attempt: 2, outputParams: { y: 2 } });

        // A queued start left a 'running' row at attempt 3: a late record of attempt 2 changes nothing.
        const started = await startTask(run.id, 'late', 3);
        expect((await store.recordFinishedExecution(light(run.id, 'late', { attempt: 2 }))).written).toBe(false);
        expect(await store.getExecution(started.id)).toMatchObject({ status: 'running', attempt: 3 });
      });

      it('records a batch in one write, all or nothing, in the order given', async () => {
        const { run } = await newRun();
        // A fused chain: the second step reads the first one's output, written by the same call.
        const a = light(run.id, 'a');
        const aOut = artifactInput(`${a.id}.out`);
        const b = light(run.id, 'b', { inputs: [{ port: 'in', artifactId: aOut.id }] });
        const results = await store.recordFinishedExecutions([{ ...a, outputs: { out: aOut } }, b]);
        expect(results.map((r) => r.written)).toEqual([true, true]);
        expect((await store.listExecutions(run.id)).map((e) => e.taskId)).toEqual(['a', 'b']);
        expect(await store.listEvents({ executionId: b.id })).toEqual([{ executionId: b.id, artifactId: aOut.id, kind: 'input', port: 'in' }]);

        // One bad item (an input artifact that does not exist): none of the batch is written.
        const good = light(run.id, 'good', { metrics: [{ key: 'm', value: 1, step: 0 }] });
        const bad = light(run.id, 'bad', { inputs: [{ port: 'in', artifactId: `missing-${uid()}` }] });
        await expect(store.recordFinishedExecutions([good, bad])).rejects.toMatchObject({ code: 'not_found' });
        expect(await store.getExecution(good.id)).toBeUndefined();
        // A missing run: refused the same way.
        await expect(store.recordFinishedExecution(light(`missing-${uid()}`, 'x'))).rejects.toMatchObject({ code: 'not_found' });
        // The same id twice in one batch: refused before anything is written.
        await expect(store.recordFinishedExecutions([good, good])).rejects.toMatchObject({ code: 'invalid' });
        expect(await store.getExecution(good.id)).toBeUndefined();

        // Re-recording a batch where some items already finished writes only the others.
        const c = light(run.id, 'c');
        const again = await store.recordFinishedExecutions([a, c]);
        expect(again.map((r) => r.written)).toEqual([false, true]);
        expect(await store.listExecutions(run.id)).toHaveLength(3);
        expect(await store.recordFinishedExecutions([])).toEqual([]);
      });

      it('records a cache hit with its reused events', async () => {
        const { run } = await newRun();
        const original = light(run.id, 'orig');
        const out = artifactInput(`${original.id}.out`);
        await store.recordFinishedExecution({ ...original, outputs: { out } });
        const hit = light(run.id, 'hit', { status: 'cached', cachedFrom: original.id, cacheKey: original.cacheKey, reused: [{ port: 'out', artifactId: out.id }] });
        expect((await store.recordFinishedExecution(hit)).written).toBe(true);
        expect(await store.getExecution(hit.id)).toMatchObject({ status: 'cached', cachedFrom: original.id });
        expect(await store.listEvents({ executionId: hit.id })).toEqual([{ executionId: hit.id, artifactId: out.id, kind: 'reused', port: 'out' }]);
      });

    });

    it('begins an execution and reads its cache candidate, with its outputs, in one call', async () => {
      const { run } = await newRun();
      const key = `k-${uid()}`;
      const begin = (taskId: string, over: Partial<Parameters<MetadataStore['beginExecution']>[0]> = {}) =>
        store.beginExecution({ id: `${run.id}/${taskId}`, runId: run.id, taskId, componentName: 'c', componentDigest: 'd', attempt: 1, params: { x: 1 }, cacheKey: key, cache: { cacheKey: key }, ...over });
      const first = await begin('orig');
      expect(first).toMatchObject({ started: true, cached: undefined, execution: { id: `${run.id}/orig`, status: 'running', attempt: 1, params: { x: 1 }, cacheKey: key } });
      expect(await store.getExecution(first.execution.id)).toEqual(first.execution);
      const out = artifactInput(`${first.execution.id}.out`);
      await store.completeExecution(first.execution.id, { attempt: 1, outputParams: { y: 2 }, outputs: { out } });

      // Another task with the key: its row, and the candidate with its output artifacts.
      const data = await store.recordArtifact(artifactInput(`${run.id}/data-${uid()}`));
      const hit = await begin('next', { inputs: [{ port: 'data', artifactId: data.id }] });
      expect(hit).toMatchObject({ started: true, execution: { status: 'running' }, cached: { execution: { id: first.execution.id, status: 'succeeded', outputParams: { y: 2 } } } });
      expect(hit.cached?.outputs).toEqual({ out: { ...out, createdAt: expect.any(Date) as Date } });
      expect(await store.listEvents({ executionId: hit.execution.id })).toEqual([{ executionId: hit.execution.id, artifactId: data.id, kind: 'input', port: 'data' }]);
      // Without `cache`, or too old: no candidate.
      expect((await begin('plain', { cache: undefined })).cached).toBeUndefined();
      expect((await begin('old', { cache: { cacheKey: key, maxAgeMs: 1000, now: new Date('2031-01-01T00:00:00Z') } })).cached).toBeUndefined();
      expect((await begin('recent', { cache: { cacheKey: key, maxAgeMs: 60_000 } })).cached?.execution.id).toBe(first.execution.id);

      // Its own finished row: kept as it is (the guard), and answered as stored.
      const again = await begin('orig', { countAttemptsFromRow: true });
      expect(again.started).toBe(false);
      expect(again.execution).toEqual(await store.getExecution(first.execution.id));
      // A lost local attempt is taken over as the next one.
      expect(await begin('next', { countAttemptsFromRow: true })).toMatchObject({ started: true, execution: { attempt: 2, status: 'running' } });

      // A missing run or input artifact refuses the whole start: no row without its events.
      await expect(begin('bad', { inputs: [{ port: 'data', artifactId: `missing-${uid()}` }] })).rejects.toMatchObject({ code: 'not_found' });
      expect(await store.getExecution(`${run.id}/bad`)).toBeUndefined();
      await expect(store.beginExecution({ id: `nowhere-${uid()}`, runId: `nowhere-${uid()}`, taskId: 't', componentName: 'c', componentDigest: 'd', attempt: 1, params: {} })).rejects.toMatchObject({ code: 'not_found' });
    });

    it('finishes one execution and begins the next in one statement, all or nothing (a fused chain’s step)', async () => {
      const { run } = await newRun();
      const start = (taskId: string) => ({ id: `${run.id}/${taskId}`, runId: run.id, taskId, componentName: 'c', componentDigest: 'd', attempt: 1, params: { x: 1 }, countAttemptsFromRow: true });
      const first = await store.beginExecution(start('s1'));
      const finished = (over: Partial<FinishedExecution> = {}): FinishedExecution => ({
        ...start('s1'),
        status: 'succeeded',
        outputParams: { y: 2 },
        startedAt: first.execution.startedAt,
        finishedAt: new Date(first.execution.startedAt.getTime() + 5),
        metrics: [{ key: 'loss', value: 0.5, step: 0 }],
        ...over,
      });
      // A missing input artifact of the next step refuses both: the previous step stays running.
      await expect(store.beginExecution({ ...start('s2'), inputs: [{ port: 'data', artifactId: `missing-${uid()}` }], after: finished() })).rejects.toMatchObject({ code: 'not_found' });
      expect(await store.getExecution(`${run.id}/s1`)).toMatchObject({ status: 'running' });
      expect(await store.getExecution(`${run.id}/s2`)).toBeUndefined();

      const second = await store.beginExecution({ ...start('s2'), after: finished() });
      expect(second).toMatchObject({ started: true, execution: { id: `${run.id}/s2`, status: 'running', attempt: 1 }, finished: { written: true, outputs: {} } });
      expect(await store.getExecution(`${run.id}/s1`)).toMatchObject({ status: 'succeeded', outputParams: { y: 2 }, attempt: 1 });
      expect((await store.listMetrics({ executionId: `${run.id}/s1` })).map((m) => [m.key, m.value])).toEqual([['loss', 0.5]]);
      // Re-recorded (a crash-replay): the finished row is kept, and says so.
      expect((await store.beginExecution({ ...start('s3'), after: finished({ outputParams: { y: 3 } }) })).finished).toEqual({ written: false, outputs: {} });
      expect(await store.getExecution(`${run.id}/s1`)).toMatchObject({ outputParams: { y: 2 } });
      await expect(store.beginExecution({ ...start('s1'), after: finished() })).rejects.toMatchObject({ code: 'invalid' });
    });

    it('refuses to finish an unknown execution', async () => {
      await expect(store.finishExecution(`missing-${uid()}`, { status: 'succeeded' })).rejects.toMatchObject({
        code: 'not_found',
      });
    });

    it('lists a run’s executions in start order', async () => {
      const { run } = await newRun();
      const other = await newRun();
      await startTask(other.run.id, 'x');
      const ids = [];
      for (const task of ['c', 'a', 'b']) ids.push((await startTask(run.id, task)).id);
      expect((await store.listExecutions(run.id)).map((e) => e.id)).toEqual(ids);
    });

    it('counts executions by status for several runs in one query', async () => {
      const { run } = await newRun();
      const other = await newRun();
      await startTask(run.id, 'a');
      const b = await startTask(run.id, 'b');
      await store.finishExecution(b.id, { status: 'succeeded' });
      const counts = await store.countExecutionsByStatus([run.id, other.run.id, `missing-${uid()}`]);
      expect(counts.get(run.id)).toEqual({ running: 1, succeeded: 1 });
      expect(counts.get(other.run.id)).toEqual({});
      expect((await store.countExecutionsByStatus([])).size).toBe(0);
    });

    describe('recorded executions', () => {
      const base = (runId: string, taskId: string) => ({
        id: `${runId}/${taskId}`,
        runId,
        taskId,
        componentName: taskId,
        componentDigest: `c-${taskId}`,
        params: { p: 1 },
      });

      it('records a skipped execution once: a second call changes nothing', async () => {
        const { run } = await newRun();
        const first = await store.recordExecution({ ...base(run.id, 'gate'), status: 'skipped' });
        expect(first).toMatchObject({ status: 'skipped', attempt: 1, params: { p: 1 }, error: null, cachedFrom: null });
        expect(first.finishedAt).toBeInstanceOf(Date);
        const again = await store.recordExecution({ ...base(run.id, 'gate'), status: 'failed', error: 'late' });
        expect(again).toEqual(first);
      });

      it('takes a waiting gate to its decision, keeping its start time', async () => {
        const { run } = await newRun();
        const startedAt = new Date('2031-01-01T00:00:00.000Z');
        const waiting = await store.recordExecution({ ...base(run.id, 'approve'), status: 'waiting', startedAt });
        expect(waiting).toMatchObject({ status: 'waiting', finishedAt: null, startedAt });
        const decided = await store.recordExecution({
          ...base(run.id, 'approve'),
          status: 'succeeded',
          outputParams: { approved: true },
        });
        expect(decided).toMatchObject({ status: 'succeeded', outputParams: { approved: true }, startedAt });
        expect(decided.finishedAt).toBeInstanceOf(Date);
        // A late re-delivery of "waiting" does not reopen it.
        expect(await store.recordExecution({ ...base(run.id, 'approve'), status: 'waiting' })).toEqual(decided);
        expect(await store.listExecutions(run.id)).toEqual([decided]);
      });

      it('never clobbers an execution that ran and finished', async () => {
        const { run } = await newRun();
        const ran = await startTask(run.id, 'train');
        await store.finishExecution(ran.id, { status: 'succeeded', outputParams: { loss: 0.5 } });
        const done = await store.getExecution(ran.id);
        await store.recordExecution({ ...base(run.id, 'train'), status: 'skipped' });
        expect(await store.getExecution(ran.id)).toEqual(done);
        // …but one still running may be recorded (e.g. cancelled by the workflow).
        const running = await startTask(run.id, 'other');
        expect(await store.recordExecution({ ...base(run.id, 'other'), status: 'cancelled', error: 'run cancelled' })).toMatchObject({
          id: running.id,
          status: 'cancelled',
          error: 'run cancelled',
          startedAt: running.startedAt,
        });
      });

      it('records a reused result with the execution it came from', async () => {
        const old = await newRun();
        const original = await startTask(old.run.id, 'train');
        await store.finishExecution(original.id, { status: 'succeeded', outputParams: { acc: 0.9 } });
        const { run } = await newRun();
        const reused = await store.recordExecution({
          ...base(run.id, 'train'),
          status: 'cached',
          cachedFrom: original.id,
          outputParams: { acc: 0.9 },
        });
        expect(reused).toMatchObject({ status: 'cached', cachedFrom: original.id, outputParams: { acc: 0.9 } });
      });

      it('refuses an unknown run or reused execution', async () => {
        await expect(
          store.recordExecution({ ...base(`missing-${uid()}`, 'x'), status: 'skipped' }),
        ).rejects.toMatchObject({ code: 'not_found' });
        const { run } = await newRun();
        await expect(
          store.recordExecution({ ...base(run.id, 'x'), status: 'cached', cachedFrom: `missing-${uid()}` }),
        ).rejects.toMatchObject({ code: 'not_found' });
      });
    });

    describe('cache lookup', () => {
      /** A finished execution with key `key`, one output artifact and an output parameter. */
      async function execution(
        runId: string,
        taskId: string,
        key: string,
        status: 'succeeded' | 'failed' | 'cached' | 'running',
        finishedAt?: Date,
        cachedFrom?: string,
      ) {
        const e = await store.startExecution({
          id: `${runId}/${taskId}`,
          runId,
          taskId,
          componentName: 'trainer',
          componentDigest: 'd',
          attempt: 1,
          params: {},
          cacheKey: key,
        });
        const model = await store.recordArtifact(artifactInput(`${e.id}/model`));
        await store.recordEvent({ executionId: e.id, artifactId: cachedFrom ? `${cachedFrom}/model` : model.id, kind: 'output', port: 'model' });
        if (status !== 'running') {
          await store.finishExecution(e.id, {
            status,
            outputParams: { acc: taskId },
            ...(finishedAt ? { finishedAt } : {}),
            ...(cachedFrom ? { cachedFrom } : {}),
          });
        }
        return { id: e.id, model };
      }

      it('finds the newest succeeded execution with the key, with its outputs by port', async () => {
        const key = `key-${uid()}`;
        const { run } = await newRun();
        const older = await execution(run.id, 'older', key, 'succeeded', new Date('2030-01-01T00:00:00Z'));
        const newer = await execution(run.id, 'newer', key, 'succeeded', new Date('2030-01-02T00:00:00Z'));
        await execution(run.id, 'failed', key, 'failed', new Date('2030-01-03T00:00:00Z'));
        await execution(run.id, 'running', key, 'running');
        await execution(run.id, 'elsewhere', `other-${uid()}`, 'succeeded', new Date('2030-01-04T00:00:00Z'));

        const hit = await store.findCachedExecution(key);
        expect(hit?.execution).toMatchObject({ id: newer.id, status: 'succeeded', cacheKey: key, outputParams: { acc: 'newer' } });
        expect(hit?.outputs).toEqual({ model: newer.model });
        expect(older.id).not.toBe(newer.id);
        expect(await store.findCachedExecution(`missing-${uid()}`)).toBeUndefined();
      });

      it('follows a cached execution to its original', async () => {
        const key = `key-${uid()}`;
        const first = await newRun();
        const original = await execution(first.run.id, 'train', key, 'succeeded', new Date('2030-02-01T00:00:00Z'));
        const second = await newRun();
        // Newer, same key, but a reuse: the lookup answers with the original it reused.
        await execution(second.run.id, 'train', key, 'cached', new Date('2030-02-02T00:00:00Z'), original.id);
        const hit = await store.findCachedExecution(key);
        expect(hit?.execution.id).toBe(original.id);
        expect(hit?.outputs.model?.id).toBe(original.model.id);
      });

      it('ignores results older than maxAgeMs', async () => {
        const key = `key-${uid()}`;
        const { run } = await newRun();
        const finishedAt = new Date('2030-03-01T00:00:00Z');
        const e = await execution(run.id, 'train', key, 'succeeded', finishedAt);
        const now = new Date(finishedAt.getTime() + 60_000);
        expect((await store.findCachedExecution(key, { maxAgeMs: 60_000, now }))?.execution.id).toBe(e.id);
        expect(await store.findCachedExecution(key, { maxAgeMs: 59_999, now })).toBeUndefined();
        // Against the database clock (2030 is in the future, so it is young enough).
        expect((await store.findCachedExecution(key, { maxAgeMs: 1000 }))?.execution.id).toBe(e.id);
        const fresh = await newRun();
        const past = await execution(fresh.run.id, 'train', `key-${uid()}`, 'succeeded', new Date(Date.now() - 3_600_000));
        const pastKey = (await store.getExecution(past.id))?.cacheKey ?? '';
        expect(await store.findCachedExecution(pastKey, { maxAgeMs: 60_000 })).toBeUndefined();
        expect((await store.findCachedExecution(pastKey, { maxAgeMs: 7_200_000 }))?.execution.id).toBe(past.id);
      });

      it('sets the cache key when an execution finishes', async () => {
        const { run } = await newRun();
        const e = await startTask(run.id, 'train');
        const key = `key-${uid()}`;
        await store.finishExecution(e.id, { status: 'succeeded', cacheKey: key });
        expect((await store.findCachedExecution(key))?.execution.id).toBe(e.id);
      });
    });
  });
}
