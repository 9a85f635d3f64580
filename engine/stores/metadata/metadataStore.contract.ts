/**
 * The contract every MetadataStore backend must keep, as one vitest suite that each backend's test
 * file runs (pglite.test.ts, postgres.test.ts). Tests share one store per backend and use fresh ids,
 * so they also prove that the store filters correctly among other rows.
 */
import { randomUUID } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PipelineSpec } from '../../../dsl/ir/schema';
import { METADATA_MIGRATIONS_FOLDER } from './DrizzleMetadataStore';
import type { ArtifactRecord, LineageGraph, MetadataStore } from './MetadataStore';

/** A fresh, empty database of the backend, for tests of the migrations themselves. */
export interface FreshDatabase {
  /** A store on this database, migrated with the migrations in `migrationsFolder`; closing the store keeps the data. */
  open(migrationsFolder: string): Promise<MetadataStore>;
  /** Drops or closes the database. */
  close(): Promise<void>;
}

export function describeMetadataStoreContract(
  name: string,
  open: () => Promise<MetadataStore>,
  freshDatabase: () => Promise<FreshDatabase>,
): void {
  describe(`MetadataStore contract: ${name}`, () => {
    let store: MetadataStore;
    beforeAll(async () => {
      store = await open();
    });
    afterAll(async () => {
      await store?.close();
    });

    /** A pipeline with a unique name, a registered version and a run of it. */
    async function newRun(suffix = 'run') {
      const spec = pipelineSpec(`p${uid()}`);
      const version = await store.registerPipelineVersion(spec, `digest-${uid()}`);
      const run = await store.createRun({
        id: `${suffix}-${uid()}`,
        pipelineVersionId: version.id,
        params: { lr: 0.1 },
        trigger: { kind: 'manual' },
        workflowId: `wf-${uid()}`,
      });
      return { spec, version, run };
    }

    async function startTask(runId: string, taskId: string, attempt = 1) {
      return store.startExecution({
        id: `${runId}/${taskId}`,
        runId,
        taskId,
        componentName: taskId,
        componentDigest: `c-${taskId}`,
        attempt,
        params: {},
      });
    }

    it('applies migrations idempotently', async () => {
      await store.migrate();
      await store.migrate();
    });

    describe('pipelines', () => {
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
    });

    describe('runs', () => {
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
    });

    describe('executions', () => {
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

    describe('task logs', () => {
      const ts = (s: number) => new Date(Date.UTC(2030, 0, 1, 0, 0, s));

      it('appends lines, numbering them per execution across attempts', async () => {
        const { run } = await newRun();
        const train = await startTask(run.id, 'train');
        const target = { runId: run.id, executionId: train.id, attempt: 1 };
        await store.appendTaskLogs(target, [
          { ts: ts(1), stream: 'log', level: 'info', message: 'epoch 1', fields: { loss: 0.5, tags: ['a'] } },
          { ts: ts(2), stream: 'stdout', message: 'hello' },
        ]);
        await store.appendTaskLogs(target, [{ ts: ts(3), stream: 'stderr', message: 'warn' }]);
        await store.appendTaskLogs({ ...target, attempt: 2 }, [{ ts: ts(4), stream: 'system', level: 'error', message: 'boom' }]);

        const lines = await store.listTaskLogs({ runId: run.id });
        expect(lines).toEqual([
          { runId: run.id, executionId: train.id, taskId: 'train', attempt: 1, seq: 1, ts: ts(1), stream: 'log', level: 'info', message: 'epoch 1', fields: { loss: 0.5, tags: ['a'] } },
          { runId: run.id, executionId: train.id, taskId: 'train', attempt: 1, seq: 2, ts: ts(2), stream: 'stdout', level: null, message: 'hello', fields: null },
          { runId: run.id, executionId: train.id, taskId: 'train', attempt: 1, seq: 3, ts: ts(3), stream: 'stderr', level: null, message: 'warn', fields: null },
          { runId: run.id, executionId: train.id, taskId: 'train', attempt: 2, seq: 4, ts: ts(4), stream: 'system', level: 'error', message: 'boom', fields: null },
        ]);
        expect((await store.listTaskLogs({ runId: run.id, attempt: 2 })).map((l) => l.seq)).toEqual([4]);
        expect((await store.listTaskLogs({ runId: run.id, executionId: train.id, afterSeq: 2 })).map((l) => l.seq)).toEqual([3, 4]);
        expect((await store.listTaskLogs({ runId: run.id, taskId: 'train', afterSeq: 1, limit: 2 })).map((l) => l.seq)).toEqual([2, 3]);
        expect(await store.listTaskLogs({ runId: run.id, taskId: 'nope' })).toEqual([]);
        expect(await store.listTaskLogs({ runId: `missing-${uid()}` })).toEqual([]);
      });

      it('lists a run’s lines by time across its tasks, leaving out other runs', async () => {
        const { run } = await newRun();
        const other = await newRun();
        const a = await startTask(run.id, 'a');
        const b = await startTask(run.id, 'b');
        const x = await startTask(other.run.id, 'x');
        await store.appendTaskLogs({ runId: run.id, executionId: a.id, attempt: 1 }, [
          { ts: ts(1), stream: 'log', message: 'a1' },
          { ts: ts(3), stream: 'log', message: 'a3' },
        ]);
        await store.appendTaskLogs({ runId: run.id, executionId: b.id, attempt: 1 }, [{ ts: ts(2), stream: 'log', message: 'b2' }]);
        await store.appendTaskLogs({ runId: other.run.id, executionId: x.id, attempt: 1 }, [{ ts: ts(2), stream: 'log', message: 'x' }]);
        expect((await store.listTaskLogs({ runId: run.id })).map((l) => `${l.taskId}:${l.message}:${l.seq}`)).toEqual([
          'a:a1:1',
          'b:b2:1',
          'a:a3:2',
        ]);
        expect((await store.listTaskLogs({ runId: run.id, taskId: 'b' })).map((l) => l.message)).toEqual(['b2']);
      });

      it('stores a batch sent twice once, by the writer’s line numbers', async () => {
        const { run } = await newRun();
        const e = await startTask(run.id, 'train');
        const target = { runId: run.id, executionId: e.id, attempt: 1 };
        const batch = [
          { ts: ts(1), stream: 'log' as const, message: 'one', line: 1 },
          { ts: ts(2), stream: 'log' as const, message: 'two', line: 2 },
        ];
        await store.appendTaskLogs(target, batch);
        await store.appendTaskLogs(target, batch);
        await store.appendTaskLogs(target, [{ ts: ts(3), stream: 'log', message: 'three', line: 3 }]);
        // Lines without numbers continue after the attempt's last one.
        await store.appendTaskLogs(target, [{ ts: ts(4), stream: 'log', message: 'four' }]);
        const lines = await store.listTaskLogs({ runId: run.id });
        expect(lines.map((l) => l.message)).toEqual(['one', 'two', 'three', 'four']);
        const seqs = lines.map((l) => l.seq);
        expect([...seqs].sort((p, q) => p - q)).toEqual(seqs);
        expect(new Set(seqs).size).toBe(4);
      });

      it('keeps every line of concurrent appends to one execution', async () => {
        const { run } = await newRun();
        const e = await startTask(run.id, 'train');
        await Promise.all(
          [1, 2, 3, 4, 5, 6].map((attempt) =>
            store.appendTaskLogs({ runId: run.id, executionId: e.id, attempt }, [
              { ts: ts(attempt), stream: 'log', message: `from ${attempt} a` },
              { ts: ts(attempt), stream: 'log', message: `from ${attempt} b` },
            ]),
          ),
        );
        const lines = await store.listTaskLogs({ runId: run.id, executionId: e.id });
        expect(lines).toHaveLength(12);
        expect(new Set(lines.map((l) => l.seq)).size).toBe(12);
        for (const attempt of [1, 2, 3, 4, 5, 6]) {
          const own = lines.filter((l) => l.attempt === attempt);
          expect(own.map((l) => l.message)).toEqual([`from ${attempt} a`, `from ${attempt} b`]);
        }
      });

      it('keeps odd text: quotes, unicode, newlines; drops NUL', async () => {
        const { run } = await newRun();
        const e = await startTask(run.id, 'train');
        await store.appendTaskLogs({ runId: run.id, executionId: e.id, attempt: 1 }, [
          { ts: ts(1), stream: 'stdout', message: 'ünï "q" \\ 🚀\nnext\u0000end', fields: { k: 'v\u0000w' } },
          { ts: ts(2), stream: 'stdout', message: '' },
        ]);
        const lines = await store.listTaskLogs({ runId: run.id });
        expect(lines.map((l) => l.message)).toEqual(['ünï "q" \\ 🚀\nnextend', '']);
        expect(lines[0]?.fields).toEqual({ k: 'vw' });
      });

      it('refuses lines of an unknown execution', async () => {
        const { run } = await newRun();
        await expect(
          store.appendTaskLogs({ runId: run.id, executionId: `missing-${uid()}`, attempt: 1 }, [
            { ts: ts(1), stream: 'log', message: 'x' },
          ]),
        ).rejects.toMatchObject({ code: 'not_found' });
        // Nothing to write is not an error.
        await store.appendTaskLogs({ runId: run.id, executionId: `missing-${uid()}`, attempt: 1 }, []);
      });
    });

    describe('loop items', () => {
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

    describe('artifacts, events and metrics', () => {
      it('records an artifact once and returns the stored row', async () => {
        const a = artifactInput(`a-${uid()}`);
        const stored = await store.recordArtifact(a);
        expect(stored).toEqual({ ...a, createdAt: expect.any(Date) as Date });
        const again = await store.recordArtifact({ ...a, uri: 'file:///elsewhere', size: 1 });
        expect(again).toEqual(stored);
        expect(await store.getArtifact(a.id)).toEqual(stored);
        expect(await store.getArtifact(`missing-${uid()}`)).toBeUndefined();
      });

      it('keeps sizes beyond 32 bits', async () => {
        const a = { ...artifactInput(`big-${uid()}`), size: 5 * 2 ** 32 + 7 };
        expect((await store.recordArtifact(a)).size).toBe(5 * 2 ** 32 + 7);
      });

      it('records events idempotently and lists them by execution, artifact and run', async () => {
        const { run } = await newRun();
        const producer = await startTask(run.id, 'produce');
        const consumer = await startTask(run.id, 'consume');
        const a = await store.recordArtifact(artifactInput(`${producer.id}/out`));
        const out = { executionId: producer.id, artifactId: a.id, kind: 'output' as const, port: 'out' };
        const input = { executionId: consumer.id, artifactId: a.id, kind: 'input' as const, port: 'data' };
        await store.recordEvent(out);
        await store.recordEvent(out);
        await store.recordEvent(input);
        await store.recordEvent(input);

        expect(await store.listEvents({ executionId: producer.id })).toEqual([out]);
        expect(await store.listEvents({ artifactId: a.id })).toEqual([out, input]);
        expect(await store.listEvents({ runId: run.id })).toEqual([out, input]);
        expect(await store.listEvents({ runId: run.id, executionId: consumer.id })).toEqual([input]);

        // In one query: the events between some artifacts and some executions.
        expect(await store.listEventsBetween({ artifactIds: [a.id], executionIds: [producer.id, consumer.id] })).toEqual([out, input]);
        expect(await store.listEventsBetween({ artifactIds: [a.id, `missing-${uid()}`], executionIds: [consumer.id] })).toEqual([input]);
        expect(await store.listEventsBetween({ artifactIds: [`missing-${uid()}`], executionIds: [producer.id] })).toEqual([]);
        expect(await store.listEventsBetween({ artifactIds: [a.id], executionIds: [] })).toEqual([]);
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

      it('lists the artifacts a run produced, with task and port', async () => {
        const { run } = await newRun();
        const other = await newRun();
        const foreign = await store.recordArtifact(artifactInput(`foreign-${uid()}`));
        const producerElsewhere = await startTask(other.run.id, 'load');
        await store.recordEvent({ executionId: producerElsewhere.id, artifactId: foreign.id, kind: 'output', port: 'out' });

        const train = await startTask(run.id, 'train');
        const model = await store.recordArtifact(artifactInput(`${train.id}/model`));
        const report = await store.recordArtifact(artifactInput(`${train.id}/report`));
        await store.recordEvent({ executionId: train.id, artifactId: foreign.id, kind: 'input', port: 'data' });
        await store.recordEvent({ executionId: train.id, artifactId: model.id, kind: 'output', port: 'model' });
        await store.recordEvent({ executionId: train.id, artifactId: report.id, kind: 'output', port: 'report' });

        expect(await store.listRunArtifacts(run.id)).toEqual([
          { ...model, taskId: 'train', port: 'model', reused: false },
          { ...report, taskId: 'train', port: 'report', reused: false },
        ]);

        // A run that reused the model lists it too, as reused.
        const later = await newRun();
        const cached = await store.recordExecution({ id: `${later.run.id}/train`, runId: later.run.id, taskId: 'train', componentName: 'train', componentDigest: 'c', params: {}, status: 'cached', cachedFrom: train.id });
        await store.recordEvent({ executionId: cached.id, artifactId: model.id, kind: 'reused', port: 'model' });
        expect(await store.listRunArtifacts(later.run.id)).toEqual([{ ...model, taskId: 'train', port: 'model', reused: true }]);
      });

      it('records metrics idempotently: a retried write replaces the value', async () => {
        const { run } = await newRun();
        const e = await startTask(run.id, 'train');
        await store.recordMetric({ runId: run.id, executionId: e.id, key: 'loss', value: 0.9, step: 0 });
        await store.recordMetric({ runId: run.id, executionId: e.id, key: 'loss', value: 0.5, step: 0 });
        await store.recordMetric({ runId: run.id, executionId: e.id, key: 'loss', value: 0.4, step: 1 });
        await store.recordMetric({ runId: run.id, executionId: e.id, key: 'acc', value: 0.75, step: 0 });
        const other = await newRun();
        const otherExecution = await startTask(other.run.id, 'train');
        await store.recordMetric({ runId: other.run.id, executionId: otherExecution.id, key: 'loss', value: 9, step: 0 });

        const expected = [
          { runId: run.id, executionId: e.id, key: 'acc', value: 0.75, step: 0 },
          { runId: run.id, executionId: e.id, key: 'loss', value: 0.5, step: 0 },
          { runId: run.id, executionId: e.id, key: 'loss', value: 0.4, step: 1 },
        ];
        expect(await store.listMetrics({ runId: run.id })).toEqual(expected);
        expect(await store.listMetrics({ executionId: e.id })).toEqual(expected);
      });

      it('keeps what a series step counts (stepLabel) with each point, and none where none was given', async () => {
        const { run } = await newRun();
        const e = await startTask(run.id, 'train');
        await store.recordMetric({ runId: run.id, executionId: e.id, key: 'loss', value: 0.9, step: 1, stepLabel: 'epoch' });
        await store.recordMetric({ runId: run.id, executionId: e.id, key: 'acc', value: 0.7, step: 0 });
        expect(await store.listMetrics({ runId: run.id })).toStrictEqual([
          { runId: run.id, executionId: e.id, key: 'acc', value: 0.7, step: 0 },
          { runId: run.id, executionId: e.id, key: 'loss', value: 0.9, step: 1, stepLabel: 'epoch' },
        ]);
      });
    });

    describe('lineage', () => {
      /**
       * load → dataset → split → (train, test); train → fit → model; (model, test) → evaluate → metrics.
       * Artifact ids are `${run}/artifact`, execution ids `${run}/task:x`.
       */
      async function chain() {
        const { run } = await newRun('lineage');
        const a = (name: string) => `${run.id}/${name}`;
        const x = (task: string) => `${run.id}/task:${task}`;
        const steps: { task: string; inputs: string[]; outputs: string[] }[] = [
          { task: 'load', inputs: [], outputs: ['dataset'] },
          { task: 'split', inputs: ['dataset'], outputs: ['train', 'test'] },
          { task: 'fit', inputs: ['train'], outputs: ['model'] },
          { task: 'evaluate', inputs: ['model', 'test'], outputs: ['metrics'] },
        ];
        for (const step of steps) {
          await store.startExecution({
            id: x(step.task),
            runId: run.id,
            taskId: step.task,
            componentName: step.task,
            componentDigest: 'd',
            attempt: 1,
            params: {},
          });
          for (const input of step.inputs) {
            await store.recordEvent({ executionId: x(step.task), artifactId: a(input), kind: 'input', port: input });
          }
          for (const output of step.outputs) {
            await store.recordArtifact(artifactInput(a(output)));
            await store.recordEvent({ executionId: x(step.task), artifactId: a(output), kind: 'output', port: output });
          }
          await store.finishExecution(x(step.task), { status: 'succeeded' });
        }
        /** The graph as "id@depth" nodes and "from>to" edges, with the run prefix cut off. */
        const view = (g: LineageGraph) => ({
          nodes: g.nodes.map((n) => `${n.id.slice(run.id.length + 1)}@${n.depth}`).sort(),
          edges: g.edges.map((e) => `${e.from.slice(run.id.length + 1)}>${e.to.slice(run.id.length + 1)}`).sort(),
          truncated: g.truncated,
        });
        return { run, a, x, view, steps };
      }

      /**
       * A later run that reused every step of `chain()`'s run from the cache, as executeTask records
       * it: cached executions given the same inputs, handing out the original outputs ('reused').
       */
      async function reuseRun(c: Awaited<ReturnType<typeof chain>>) {
        const { run } = await newRun('reuse');
        for (const step of c.steps) {
          const id = `${run.id}/task:${step.task}`;
          await store.startExecution({ id, runId: run.id, taskId: step.task, componentName: step.task, componentDigest: 'd', attempt: 1, params: {} });
          for (const input of step.inputs) await store.recordEvent({ executionId: id, artifactId: c.a(input), kind: 'input', port: input });
          for (const output of step.outputs) await store.recordEvent({ executionId: id, artifactId: c.a(output), kind: 'reused', port: output });
          await store.finishExecution(id, { status: 'cached', cachedFrom: c.x(step.task) });
        }
        return run;
      }

      it('walks upstream to the source', async () => {
        const { a, view } = await chain();
        const g = await store.lineage(a('metrics'), { direction: 'upstream', depth: 10 });
        expect(g.root).toBe(a('metrics'));
        expect(view(g)).toEqual({
          nodes: [
            'dataset@2',
            'metrics@0',
            'model@1',
            'task:evaluate@1',
            'task:fit@2',
            'task:load@3',
            'task:split@2',
            'test@1',
            'train@2',
          ],
          edges: [
            'dataset>task:split',
            'model>task:evaluate',
            'task:evaluate>metrics',
            'task:fit>model',
            'task:load>dataset',
            'task:split>test',
            'task:split>train',
            'test>task:evaluate',
            'train>task:fit',
          ],
          truncated: false,
        });
        // An unbounded request is clamped, not endless.
        expect(view(await store.lineage(a('metrics'), { direction: 'upstream', depth: Infinity }))).toEqual(view(g));
      });

      it('stops upstream at the depth bound and says so', async () => {
        const { a, view } = await chain();
        expect(view(await store.lineage(a('metrics'), { direction: 'upstream', depth: 1 }))).toEqual({
          nodes: ['metrics@0', 'model@1', 'task:evaluate@1', 'test@1'],
          edges: ['model>task:evaluate', 'task:evaluate>metrics', 'test>task:evaluate'],
          truncated: true,
        });
        expect(view(await store.lineage(a('metrics'), { direction: 'upstream', depth: 0 }))).toEqual({
          nodes: ['metrics@0'],
          edges: [],
          truncated: true,
        });
        // Exactly deep enough: nothing was cut.
        expect((await store.lineage(a('metrics'), { direction: 'upstream', depth: 3 })).truncated).toBe(false);
        expect((await store.lineage(a('metrics'), { direction: 'upstream', depth: 2 })).truncated).toBe(true);
        expect(view(await store.lineage(a('dataset'), { direction: 'upstream', depth: 1 }))).toEqual({
          nodes: ['dataset@0', 'task:load@1'],
          edges: ['task:load>dataset'],
          truncated: false,
        });
      });

      it('walks downstream to the sinks', async () => {
        const { a, view } = await chain();
        const expected = {
          nodes: [
            'dataset@0',
            'metrics@2',
            'model@2',
            'task:evaluate@2',
            'task:fit@2',
            'task:split@1',
            'test@1',
            'train@1',
          ],
          edges: [
            'dataset>task:split',
            'model>task:evaluate',
            'task:evaluate>metrics',
            'task:fit>model',
            'task:split>test',
            'task:split>train',
            'test>task:evaluate',
            'train>task:fit',
          ],
          truncated: false,
        };
        expect(view(await store.lineage(a('dataset'), { direction: 'downstream', depth: 10 }))).toEqual(expected);
        // evaluate is reached at depth 2 through test, so its other input (model) cuts nothing.
        expect(view(await store.lineage(a('dataset'), { direction: 'downstream', depth: 2 }))).toEqual(expected);
        expect(view(await store.lineage(a('dataset'), { direction: 'downstream', depth: 1 }))).toEqual({
          nodes: ['dataset@0', 'task:split@1', 'test@1', 'train@1'],
          edges: ['dataset>task:split', 'task:split>test', 'task:split>train'],
          truncated: true,
        });
        expect(view(await store.lineage(a('metrics'), { direction: 'downstream', depth: 5 }))).toEqual({
          nodes: ['metrics@0'],
          edges: [],
          truncated: false,
        });
      });

      it('walks both ways from the middle, with the records attached', async () => {
        const { a, x, view } = await chain();
        const g = await store.lineage(a('model'), { direction: 'both', depth: 1 });
        expect(view(g)).toEqual({
          nodes: ['metrics@1', 'model@0', 'task:evaluate@1', 'task:fit@1', 'train@1'],
          edges: ['model>task:evaluate', 'task:evaluate>metrics', 'task:fit>model', 'train>task:fit'],
          truncated: true,
        });
        const fit = g.nodes.find((n) => n.id === x('fit'));
        expect(fit).toMatchObject({ kind: 'execution', execution: { taskId: 'fit', status: 'succeeded' } });
        const model = g.nodes.find((n) => n.id === a('model'));
        expect(model).toMatchObject({ kind: 'artifact', artifact: { id: a('model'), type: 'Dataset' } });
        const edge = g.edges.find((e) => e.from === a('model'));
        expect(edge).toEqual({ from: a('model'), to: x('evaluate'), kind: 'input', port: 'model' });

        const whole = view(await store.lineage(a('model'), { direction: 'both', depth: 10 }));
        expect(whole.truncated).toBe(false);
        // 'test' is an input of a downstream step, not on a path through the model: left out.
        expect(whole.nodes).toEqual([
          'dataset@2',
          'metrics@1',
          'model@0',
          'task:evaluate@1',
          'task:fit@1',
          'task:load@3',
          'task:split@2',
          'train@1',
        ]);
      });

      it('folds cached executions into what they reused: one producer per artifact, a graph that does not grow', async () => {
        const c = await chain();
        const { a, x, view } = c;
        const before = view(await store.lineage(a('model'), { direction: 'both', depth: 10 }));
        const second = await reuseRun(c);
        const third = await reuseRun(c);
        const g = await store.lineage(a('model'), { direction: 'both', depth: 10 });
        expect(view(g)).toEqual(before);
        expect(g.edges.every((e) => e.kind === 'input' || e.kind === 'output')).toBe(true);
        for (const n of g.nodes.filter((n) => n.kind === 'artifact')) {
          expect(g.edges.filter((e) => e.to === n.id && e.kind === 'output').map((e) => e.from)).toHaveLength(1);
        }
        // …and says how often each node was reused.
        const reusedBy = (id: string) => g.nodes.find((n) => n.id === id)?.reusedBy;
        expect(reusedBy(x('fit'))).toEqual({ executions: 2, runs: 2 });
        expect(reusedBy(a('model'))).toEqual({ executions: 4, runs: 2 }); // fit handed it out, evaluate was given it
        expect(reusedBy(a('train'))).toEqual({ executions: 4, runs: 2 });

        // Neighbour counts as the walk sees them; a cached execution's own are its events.
        const counts = await store.countLineageNeighbours({
          artifactIds: [a('model'), `missing-${uid()}`],
          executionIds: [x('fit'), `${second.id}/task:fit`],
        });
        expect(counts).toEqual([
          { id: a('model'), upstream: 1, downstream: 1, reusedBy: { executions: 4, runs: 2 } },
          { id: expect.stringMatching(/^missing-/) as string, upstream: 0, downstream: 0, reusedBy: { executions: 0, runs: 0 } },
          { id: x('fit'), upstream: 1, downstream: 1, reusedBy: { executions: 2, runs: 2 } },
          { id: `${second.id}/task:fit`, upstream: 1, downstream: 1, reusedBy: { executions: 0, runs: 0 } },
        ]);

        // The reuses, listed on demand (the folded nodes expanded).
        expect((await store.listReusingExecutions({ executionId: x('fit') })).map((e) => e.id)).toEqual([`${second.id}/task:fit`, `${third.id}/task:fit`]);
        expect((await store.listReusingExecutions({ executionId: x('fit') }, { limit: 1 })).map((e) => e.id)).toEqual([`${second.id}/task:fit`]);
        expect((await store.listReusingExecutions({ artifactId: a('model') })).map((e) => e.id).sort()).toEqual(
          [second.id, third.id].flatMap((r) => [`${r}/task:evaluate`, `${r}/task:fit`]).sort(),
        );
        expect(await store.listReusingExecutions({ executionId: `missing-${uid()}` })).toEqual([]);
      });

      it('does not walk through a cached execution given other (equal) inputs, but counts it on them', async () => {
        const c = await chain();
        // A fresh load (caching off) wrote the same bytes again; fit was then reused from the cache.
        const { run } = await newRun('fresh');
        const dataset = `${run.id}/train`;
        await store.recordArtifact(artifactInput(dataset));
        const fit = `${run.id}/task:fit`;
        await store.startExecution({ id: fit, runId: run.id, taskId: 'fit', componentName: 'fit', componentDigest: 'd', attempt: 1, params: {} });
        await store.recordEvent({ executionId: fit, artifactId: dataset, kind: 'input', port: 'train' });
        await store.recordEvent({ executionId: fit, artifactId: c.a('model'), kind: 'reused', port: 'model' });
        await store.finishExecution(fit, { status: 'cached', cachedFrom: c.x('fit') });

        const down = await store.lineage(dataset, { direction: 'downstream', depth: 5 });
        expect(down.nodes.map((n) => [n.id, n.reusedBy])).toEqual([[dataset, { executions: 1, runs: 1 }]]);
        expect(down.truncated).toBe(false);
        expect((await store.listReusingExecutions({ artifactId: dataset })).map((e) => e.id)).toEqual([fit]);
        const up = await store.lineage(c.a('model'), { direction: 'upstream', depth: 1 });
        expect(up.edges.filter((e) => e.to === c.a('model')).map((e) => e.from)).toEqual([c.x('fit')]);
      });

      it('gives an empty graph for an unknown artifact', async () => {
        const id = `missing-${uid()}`;
        expect(await store.lineage(id, { direction: 'both', depth: 3 })).toEqual({
          root: id,
          nodes: [],
          edges: [],
          truncated: false,
        });
      });
    });

    describe('migrations', () => {
      it('0003_reuse_events turns output events of cached executions into reuse links: one producer per artifact', async () => {
        const db = await freshDatabase();
        const folder = await migrationsBefore('0003_reuse_events');
        try {
          // Rows as the engine wrote them before: the cached executions of a second run recorded
          // output events to the first run's artifacts.
          const old = await db.open(folder);
          const spec = pipelineSpec(`p${uid()}`);
          const version = await old.registerPipelineVersion(spec, 'd');
          const runs = ['first', 'second'];
          for (const run of runs) await old.createRun({ id: run, pipelineVersionId: version.id, params: {}, trigger: { kind: 'cli' }, workflowId: run });
          for (const [run, status] of [['first', 'succeeded'], ['second', 'cached']] as const) {
            for (const [task, input, output] of [['load', null, 'dataset'], ['train', 'dataset', 'model']] as const) {
              const id = `${run}.${task}`;
              await old.startExecution({ id, runId: run, taskId: task, componentName: task, componentDigest: 'd', attempt: 1, params: {} });
              if (input) await old.recordEvent({ executionId: id, artifactId: `first.${task === 'train' ? 'load' : task}.${input}`, kind: 'input', port: input });
              if (status === 'succeeded') await old.recordArtifact(artifactInput(`first.${task}.${output}`));
              await old.recordEvent({ executionId: id, artifactId: `first.${task}.${output}`, kind: 'output', port: output });
              await old.finishExecution(id, { status, ...(status === 'cached' ? { cachedFrom: `first.${task}` } : {}) });
            }
          }
          expect((await old.listEvents({ artifactId: 'first.train.model' })).map((e) => `${e.executionId}:${e.kind}`)).toEqual(['first.train:output', 'second.train:output']);
          await old.close();

          const migrated = await db.open(METADATA_MIGRATIONS_FOLDER);
          try {
            const g = await migrated.lineage('first.train.model', { direction: 'upstream', depth: 5 });
            expect(g.nodes.map((n) => n.id).sort()).toEqual(['first.load', 'first.load.dataset', 'first.train', 'first.train.model']);
            expect(g.edges.map((e) => `${e.from}>${e.to}:${e.kind}`).sort()).toEqual([
              'first.load.dataset>first.train:input',
              'first.load>first.load.dataset:output',
              'first.train>first.train.model:output',
            ]);
            expect(g.nodes.find((n) => n.id === 'first.train')?.reusedBy).toEqual({ executions: 1, runs: 1 });
            expect(await migrated.listEvents({ executionId: 'second.train' })).toEqual([
              { executionId: 'second.train', artifactId: 'first.load.dataset', kind: 'input', port: 'dataset' },
              { executionId: 'second.train', artifactId: 'first.train.model', kind: 'reused', port: 'model' },
            ]);
            expect((await migrated.listRunArtifacts('second')).map((a) => [a.id, a.reused])).toEqual([
              ['first.load.dataset', true],
              ['first.train.model', true],
            ]);
            expect((await migrated.listRunArtifacts('first')).map((a) => [a.id, a.reused])).toEqual([
              ['first.load.dataset', false],
              ['first.train.model', false],
            ]);
          } finally {
            await migrated.close();
          }
        } finally {
          await db.close();
          await rm(folder, { recursive: true, force: true });
        }
      });
    });

    describe('for the HTTP API', () => {
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

      it('keeps experiment names unique and refuses unknown runs', async () => {
        const name = `exp-${uid()}`;
        const first = await store.createExperiment({ id: `e-${uid()}`, name });
        expect(first.description).toBeNull();
        await expect(store.createExperiment({ id: `e-${uid()}`, name })).rejects.toMatchObject({ code: 'conflict' });
        await expect(store.addRunsToExperiment(first.id, [`missing-${uid()}`])).rejects.toMatchObject({ code: 'not_found' });
        expect((await store.listExperiments()).map((e) => e.name)).toContain(name);
        expect(await store.getExperiment(`missing-${uid()}`)).toBeUndefined();
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

      it('counts runs by status', async () => {
        const before = await store.countRunsByStatus();
        const { run } = await newRun();
        await store.updateRun(run.id, { status: 'failed', error: 'x' });
        const after = await store.countRunsByStatus();
        expect(after.failed).toBe(before.failed + 1);
        expect(Object.keys(after).sort()).toEqual(['cancelled', 'failed', 'pending', 'running', 'succeeded']);
      });

      it('stores API tokens by id with the hash of their secret, and revokes them once', async () => {
        const id = uid();
        const token = await store.createApiToken({ id, name: 'ci', role: 'editor', secretHash: 'ab'.repeat(32) });
        expect(token).toMatchObject({ id, name: 'ci', role: 'editor', lastUsedAt: null, revokedAt: null });
        expect(token).not.toHaveProperty('secretHash');
        expect(await store.findApiToken(id)).toEqual({ token, secretHash: 'ab'.repeat(32) });
        await store.touchApiToken(id, new Date('2030-01-01T00:00:00Z'));
        expect((await store.findApiToken(id))?.token.lastUsedAt?.toISOString()).toBe('2030-01-01T00:00:00.000Z');
        expect((await store.listApiTokens()).map((t) => t.id)).toContain(id);
        expect(await store.revokeApiToken(id)).toBe(true);
        expect(await store.revokeApiToken(id)).toBe(false);
        expect((await store.findApiToken(id))?.token.revokedAt).toBeInstanceOf(Date);
        expect(await store.findApiToken(`missing-${uid()}`)).toBeUndefined();
        await expect(store.createApiToken({ id: uid(), name: 'x', role: 'root' as 'admin', secretHash: 'x' })).rejects.toThrow();
      });
    });
  });
}

function uid(): string {
  return randomUUID().replace(/-/g, '').slice(0, 12);
}

function artifactInput(id: string): Omit<ArtifactRecord, 'createdAt'> {
  return {
    id,
    type: 'Dataset',
    name: id.split('/').pop() ?? id,
    uri: `file:///artifacts/sha256/${id}`,
    sha256: 'ab'.repeat(32),
    size: 1234,
    properties: { rows: 150, columns: ['a', 'b'], note: null },
  };
}

function pipelineSpec(name: string): PipelineSpec {
  return {
    apiVersion: 'sluice/v1',
    name,
    inputs: { lr: { kind: 'parameter', type: 'float', default: 0.1 } },
    outputs: { model: { task: 'train', output: 'model' } },
    components: {
      trainer: {
        name: 'trainer',
        version: '1.0.0',
        inputs: { lr: { kind: 'parameter', type: 'float' } },
        outputs: { model: { kind: 'artifact', type: 'Model' } },
        impl: { kind: 'function', digest: 'f'.repeat(64) },
      },
    },
    dag: { tasks: { train: { component: 'trainer', inputs: { lr: { pipelineInput: 'lr' } } } } },
  };
}

/** A copy of the checked-in migrations without `tag` and those after it: a database as older Sluice left it. */
async function migrationsBefore(tag: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-migrations-'));
  const journal = JSON.parse(await readFile(join(METADATA_MIGRATIONS_FOLDER, 'meta', '_journal.json'), 'utf8')) as { entries: { tag: string }[] };
  const cut = journal.entries.findIndex((e) => e.tag === tag);
  if (cut < 0) throw new Error(`no migration "${tag}" in ${METADATA_MIGRATIONS_FOLDER}`);
  const kept = journal.entries.slice(0, cut);
  await mkdir(join(dir, 'meta'));
  await writeFile(join(dir, 'meta', '_journal.json'), JSON.stringify({ ...journal, entries: kept }));
  const files = new Set(kept.map((e) => `${e.tag}.sql`));
  for (const file of await readdir(METADATA_MIGRATIONS_FOLDER)) {
    if (files.has(file)) await copyFile(join(METADATA_MIGRATIONS_FOLDER, file), join(dir, file));
  }
  return dir;
}
