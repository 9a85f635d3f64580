/**
 * The HTTP API over real HTTP (ephemeral port) against a real embedded stack: Temporal dev server,
 * PGlite, local artifacts and workers. Pipelines are submitted through the API and watched through
 * their event streams to the end; logs, artifacts (download, tar, previews), lineage, metrics, gates,
 * cancel and retry, experiments, the catalog, auth roles, the OpenAPI document and the refusal to
 * serve a public address without auth are each checked on what the server really answers.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compile, component, pipeline, t, type AnyPipeline } from '../../dsl/index';
import { createApiServer, createApiToken, type ApiServer, type RunningApiServer } from '../../engine/server/index';
import { createLogger } from '../../engine/logging';
import type { RunRecord } from '../../engine/stores/metadata/MetadataStore';
import * as controlFlow from '../fixtures/controlFlow';
import * as diamondModule from '../fixtures/diamond';
import * as execution from '../fixtures/execution';
import { openEventStream, type ServerEvent } from '../support/eventStream';
import { backends, startTestStack, type TestStack } from '../support/stackHarness';

/** Writes a directory artifact, a records dataset, a Markdown note, logs and a metric series. */
const produce = component({
  name: 'api-produce',
  description: 'Test component: a model directory, a dataset, notes, logs and metrics',
  category: 'testing',
  inputs: { epochs: t.int({ default: 3 }) },
  outputs: { model: t.Model(), records: t.Dataset(), notes: t.Markdown() },
  cache: false,
  run: async ({ epochs }, ctx) => {
    ctx.log('training', { epochs });
    for (let epoch = 1; epoch <= epochs; epoch++) ctx.metric('loss', 1 / epoch, epoch);
    ctx.metric('accuracy', 0.9);
    await mkdir(path.join(ctx.outputs.model.path, 'sub'), { recursive: true });
    await writeFile(path.join(ctx.outputs.model.path, 'weights.bin'), Buffer.from([1, 2, 3, 0, 255]));
    await writeFile(path.join(ctx.outputs.model.path, 'sub', 'config.json'), '{"layers":2}');
    await writeFile(ctx.outputs.records.path, JSON.stringify([{ a: 1, b: 'x' }, { a: 2, b: 'y' }, { a: 3, c: true }]));
    await writeFile(ctx.outputs.notes.path, '# Notes\n\nAll **good**.\n');
    ctx.log('done');
  },
});
const consume = component({
  name: 'api-consume',
  inputs: { records: t.Dataset() },
  outputs: { count: t.int() },
  cache: false,
  run: () => ({ count: 3 }),
});
const producing = pipeline({ name: 'api-producing', inputs: { epochs: t.int({ default: 3 }) } }, (p) => {
  const made = p.task(produce, { epochs: p.inputs.epochs }, { id: 'produce' });
  p.task(consume, { records: made.outputs.records }, { id: 'consume' });
  return { model: made.outputs.model };
});

const silent = createLogger({ level: 'silent' });
/** Asymmetric matchers typed as `unknown` (they are `any`), for use inside expected objects. */
const matching = (re: RegExp): unknown => expect.stringMatching(re);
const containing = (text: string): unknown => expect.stringContaining(text);
const anyOf = (type: StringConstructor | ArrayConstructor): unknown => expect.any(type);
const objectWith = (o: Record<string, unknown>): unknown => expect.objectContaining(o);
for (const backend of backends()) {
  describe(`the HTTP API on ${backend}`, () => {
    let stack: TestStack;
    let api: ApiServer;
    let server: RunningApiServer;
    let home: string;

    interface Answer {
      status: number;
      headers: Headers;
      text: string;
      json: Record<string, unknown>;
    }

    async function call(method: string, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
      const res = await fetch(url.startsWith('http') ? url : server.url + url, {
        method,
        headers: { ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}), ...headers },
        ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
        redirect: 'manual',
      });
      const text = await res.text();
      let json: Record<string, unknown> = {};
      try {
        json = JSON.parse(text) as Record<string, unknown>;
      } catch {
        // not JSON
      }
      return { status: res.status, headers: res.headers, text, json };
    }
    const get = (url: string, headers?: Record<string, string>) => call('GET', url, undefined, headers);
    const post = (url: string, body: unknown = {}, headers?: Record<string, string>) => call('POST', url, body, headers);

    const specOf = (p: AnyPipeline) => compile(p).spec;

    async function submit(p: AnyPipeline, params: Record<string, unknown> = {}, extra: Record<string, unknown> = {}): Promise<RunRecord> {
      const res = await post('/api/runs', { spec: specOf(p), params, ...extra });
      expect(res.status, res.text).toBe(201);
      return res.json.run as RunRecord;
    }

    /** Follows the run's event stream to its `end`; returns every event. */
    async function watch(runId: string): Promise<{ events: ServerEvent[]; final: RunRecord }> {
      const stream = await openEventStream(`${server.url}/api/runs/${runId}/events`);
      expect(stream.status).toBe(200);
      expect(stream.contentType).toMatch(/^text\/event-stream/);
      const end = await stream.next((e) => e.event === 'end', 90_000);
      await stream.ended; // the server closes the stream after `end`
      return { events: stream.received, final: (end.data as { run: RunRecord }).run };
    }

    function expectProblem(res: Answer, status: number, path?: string): void {
      expect(res.status, res.text).toBe(status);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(res.json).toMatchObject({ status, type: matching(/^urn:sluice:problem:/), title: anyOf(String), detail: anyOf(String) });
      if (path !== undefined) expect((res.json.errors as { path: string }[]).map((e) => e.path)).toContain(path);
      expect(res.text).not.toMatch(/\n\s+at |node_modules/);
    }

    beforeAll(async () => {
      home = await mkdtemp(path.join(os.tmpdir(), 'sluice-api-'));
      stack = await startTestStack(backend, [controlFlow, diamondModule, execution, { producing }]);
      api = createApiServer({
        metadata: stack.stack.metadata,
        artifacts: stack.stack.artifacts,
        client: stack.stack.client,
        registry: stack.stack.registry,
        taskQueuePrefix: stack.stack.taskQueuePrefix,
        auth: { enabled: false },
        logger: silent,
        live: { pollMs: 150, heartbeatMs: 300 },
      });
      server = await api.listen({ host: '127.0.0.1', port: 0 });
    });

    afterAll(async () => {
      await server?.close();
      await stack?.stop();
      await rm(home, { recursive: true, force: true });
    });

    describe('pipelines', () => {
      it('creates a version from IR (once per digest), lists it and serves its IR', async () => {
        const spec = specOf(diamondModule.default);
        const created = await post('/api/pipelines', { spec });
        expect(created.status, created.text).toBe(201);
        expect(created.json).toMatchObject({ created: true, pipeline: { name: 'diamond' } });
        const version = created.json.version as { id: string; digest: string };
        expect(created.headers.get('location')).toMatch(/\/api\/pipelines\/.+\/versions\/.+/);

        const again = await post('/api/pipelines', { spec });
        expect(again.status).toBe(200);
        expect(again.json).toMatchObject({ created: false, version: { id: version.id } });

        const list = await get('/api/pipelines');
        expect(list.json.pipelines).toEqual(expect.arrayContaining([objectWith({ name: 'diamond', versionCount: 1, latestVersion: objectWith({ id: version.id }) })]));
        const one = await get('/api/pipelines/diamond');
        expect((one.json.versions as { id: string }[]).map((v) => v.id)).toEqual([version.id]);
        const ir = await get(`/api/pipelines/diamond/versions/${version.id}`);
        expect((ir.json.version as { spec: unknown }).spec).toEqual(spec);

        // The editor saves moved nodes: same digest, so the same version, now with the new layout.
        const firstTask = Object.keys(spec.dag.tasks)[0] ?? '';
        const moved = { ...spec, dag: { tasks: { ...spec.dag.tasks, [firstTask]: { ...spec.dag.tasks[firstTask], ui: { x: 300, y: 40 } } } } };
        const saved = await post('/api/pipelines', { spec: moved });
        expect(saved.status).toBe(200);
        expect(saved.json).toMatchObject({ created: false, version: { id: version.id } });
        const relaid = await get(`/api/pipelines/diamond/versions/${version.id}`);
        expect((relaid.json.version as { spec: unknown }).spec).toEqual(moved);
        expect((await get('/api/pipelines/diamond')).json.versions).toHaveLength(1);

        expectProblem(await get('/api/pipelines/no-such-pipeline'), 404, '/params/pipeline');
        expectProblem(await get('/api/pipelines/diamond/versions/nope'), 404, '/params/version');
      });

      it('refuses an invalid IR with 422 naming every issue by JSON path, and writes nothing', async () => {
        const before = (await get('/api/pipelines')).json.pipelines as unknown[];
        const spec = structuredClone(specOf(diamondModule.default)) as unknown as { name: string; dag: { tasks: Record<string, { component: string; inputs: Record<string, unknown> }> } };
        spec.name = 'diamond-broken';
        (spec.dag.tasks.join as { inputs: Record<string, unknown> }).inputs.a = { const: 'text' };
        (spec.dag.tasks.left as { component: string }).component = 'nope';
        const res = await post('/api/pipelines', { spec });
        expectProblem(res, 422, '/body/spec/dag/tasks/left/component');
        expect(res.json.errors).toEqual(
          expect.arrayContaining([objectWith({ path: '/body/spec/dag/tasks/join/inputs/a', code: 'bad-value', message: containing('int') })]),
        );
        expect((await get('/api/pipelines')).json.pipelines).toEqual(before);
      });
    });

    describe('a run through the API', () => {
      let run: RunRecord;
      let events: ServerEvent[];
      let artifacts: { id: string; taskId: string; port: string; type: string; sha256: string }[];

      beforeAll(async () => {
        run = await submit(producing, { epochs: 3 });
        ({ events } = await watch(run.id));
      });

      it('streams task states, executions and log lines to the end, then closes', async () => {
        expect(events[0]).toMatchObject({ event: 'run', data: { run: { id: run.id } } });
        expect(events.some((e) => e.event === 'task')).toBe(true);
        const executions = events.filter((e) => e.event === 'execution').map((e) => (e.data as { execution: { taskId: string; status: string } }).execution);
        expect(executions).toEqual(expect.arrayContaining([expect.objectContaining({ taskId: 'produce', status: 'succeeded' }), expect.objectContaining({ taskId: 'consume', status: 'succeeded' })]));
        const logs = events.filter((e) => e.event === 'log').map((e) => (e.data as { message: string }).message);
        expect(logs).toEqual(expect.arrayContaining(['training', 'done']));
        expect(events[events.length - 1]).toMatchObject({ event: 'end', data: { run: { id: run.id, status: 'succeeded' } } });
      });

      it('shows the run with its executions and artifacts', async () => {
        const res = await get(`/api/runs/${run.id}`);
        expect(res.status).toBe(200);
        expect(res.json).toMatchObject({ run: { id: run.id, status: 'succeeded', trigger: { kind: 'api', by: 'local' } }, live: null });
        expect((res.json.executions as unknown[]).length).toBe(2);
        artifacts = res.json.artifacts as typeof artifacts;
        expect(artifacts.map((a) => `${a.taskId}.${a.port}`).sort()).toEqual(['produce.model', 'produce.notes', 'produce.records']);
        expectProblem(await get('/api/runs/nosuchrun'), 404, '/params/runId');
      });

      it('serves task logs, by task and page', async () => {
        const all = await get(`/api/runs/${run.id}/logs`);
        expect((all.json.lines as { message: string }[]).map((l) => l.message)).toEqual(expect.arrayContaining(['training', 'done']));
        const first = await get(`/api/runs/${run.id}/logs?task=produce&limit=1`);
        expect((first.json.lines as unknown[]).length).toBe(1);
        expect(first.json.next).toEqual(expect.any(Number));
        const rest = await get(`/api/runs/${run.id}/logs?task=produce&after=${String(first.json.next)}`);
        expect((rest.json.lines as { message: string }[]).map((l) => l.message)).toContain('done');
        expectProblem(await get(`/api/runs/${run.id}/logs?after=1`), 400, '/query/after');
        expectProblem(await get(`/api/runs/${run.id}/logs?task=nope`), 404, '/query/task');
      });

      it('serves metrics, flat and as series', async () => {
        const res = await get(`/api/runs/${run.id}/metrics`);
        expect(res.status).toBe(200);
        expect(res.json.series).toEqual(
          expect.arrayContaining([
            { taskId: 'produce', key: 'loss', points: [{ step: 1, value: 1 }, { step: 2, value: 0.5 }, { step: 3, value: 1 / 3 }] },
            { taskId: 'produce', key: 'accuracy', points: [{ step: 0, value: 0.9 }] },
          ]),
        );
      });

      it('downloads a file artifact as is and a directory as a tar archive', async () => {
        const records = artifacts.find((a) => a.port === 'records');
        const model = artifacts.find((a) => a.port === 'model');
        if (!records || !model) throw new Error('artifacts missing');

        const meta = await get(`/api/artifacts/${encodeURIComponent(records.id)}`);
        expect(meta.json).toMatchObject({ artifact: { id: records.id, type: 'Dataset' }, producedBy: [{ taskId: 'produce', port: 'records', runId: run.id }], consumedBy: [{ taskId: 'consume' }] });

        const file = await fetch(`${server.url}/api/artifacts/${encodeURIComponent(records.id)}/content`);
        const bytes = Buffer.from(await file.arrayBuffer());
        expect(file.status).toBe(200);
        expect(createHash('sha256').update(bytes).digest('hex')).toBe(records.sha256);
        expect(file.headers.get('content-disposition')).toMatch(/^attachment/);
        expect(file.headers.get('x-content-type-options')).toBe('nosniff');

        const tar = await fetch(`${server.url}/api/artifacts/${encodeURIComponent(model.id)}/content`);
        expect(tar.status).toBe(200);
        expect(tar.headers.get('content-type')).toBe('application/x-tar');
        const archive = path.join(home, 'model.tar');
        await writeFile(archive, Buffer.from(await tar.arrayBuffer()));
        const listing = execFileSync('tar', ['-tf', archive], { encoding: 'utf8' }).trim().split('\n').sort();
        const top = listing[0]?.split('/')[0] ?? '';
        expect(listing).toEqual([`${top}/`, `${top}/sub/`, `${top}/sub/config.json`, `${top}/weights.bin`]);
        const out = path.join(home, 'untar');
        await mkdir(out);
        execFileSync('tar', ['-xf', archive, '-C', out]);
        expect(execFileSync('cat', [path.join(out, top, 'sub', 'config.json')], { encoding: 'utf8' })).toBe('{"layers":2}');
        expectProblem(await get('/api/artifacts/nope/content'), 404, '/params/artifactId');
      });

      it('previews records as a table, Markdown as text and a directory as its files', async () => {
        const byPort = (port: string) => encodeURIComponent(artifacts.find((a) => a.port === port)?.id ?? '');
        const table = await get(`/api/artifacts/${byPort('records')}/preview?rows=2`);
        expect(table.json.preview).toEqual({ kind: 'table', format: 'json-records', columns: ['a', 'b'], rows: [[1, 'x'], [2, 'y']], totalRows: 3, truncated: true });
        const notes = await get(`/api/artifacts/${byPort('notes')}/preview`);
        expect(notes.json.preview).toMatchObject({ kind: 'text', mediaType: 'text/markdown', text: '# Notes\n\nAll **good**.\n' });
        const dir = await get(`/api/artifacts/${byPort('model')}/preview`);
        expect(dir.json.preview).toEqual({ kind: 'directory', files: [{ path: 'sub/config.json', size: 12 }, { path: 'weights.bin', size: 5 }], truncated: false });
        expectProblem(await get(`/api/artifacts/${byPort('records')}/preview?rows=0`), 400, '/query/rows');
      });

      it('answers lineage of an artifact and of the run', async () => {
        const records = artifacts.find((a) => a.port === 'records')?.id ?? '';
        const graph = await get(`/api/artifacts/${encodeURIComponent(records)}/lineage?direction=both&depth=2`);
        const ids = (graph.json.nodes as { id: string }[]).map((n) => n.id);
        expect(ids).toEqual(expect.arrayContaining([records, `${run.id}.produce`, `${run.id}.consume`]));
        const whole = await get(`/api/runs/${run.id}/lineage`);
        expect((whole.json.nodes as unknown[]).length).toBe(5); // 2 executions + 3 artifacts
        expect(whole.json.edges).toEqual(
          expect.arrayContaining([
            { from: `${run.id}.produce`, to: records, kind: 'output', port: 'records' },
            { from: records, to: `${run.id}.consume`, kind: 'input', port: 'records' },
          ]),
        );
        expectProblem(await get(`/api/artifacts/${encodeURIComponent(records)}/lineage?direction=sideways`), 400, '/query/direction');
      });

      it('previews a CSV dataset and runs a stored version with parameters', async () => {
        const cached = await submit(execution.cached, { x: 2 });
        expect((await watch(cached.id)).final.status).toBe('succeeded');
        const data = ((await get(`/api/runs/${cached.id}`)).json.artifacts as { id: string; port: string }[]).find((a) => a.port === 'data');
        const preview = await get(`/api/artifacts/${encodeURIComponent(data?.id ?? '')}/preview?rows=3`);
        expect(preview.json.preview).toMatchObject({ kind: 'table', format: 'csv', rows: anyOf(Array) });
        const table = preview.json.preview as { columns: string[]; rows: unknown[][] };
        expect(table.columns.length).toBeGreaterThan(1);
        expect(table.rows.length).toBe(3);

        const version = (await post('/api/pipelines', { spec: specOf(diamondModule.default) })).json.version as { id: string };
        const res = await post('/api/runs', { pipelineVersionId: version.id, params: { n: 4 } });
        expect(res.status, res.text).toBe(201);
        const diamondRun = res.json.run as RunRecord;
        expect(diamondRun.pipelineVersionId).toBe(version.id);
        const { final } = await watch(diamondRun.id);
        expect(final.status).toBe('succeeded');
        const source = ((await get(`/api/runs/${diamondRun.id}`)).json.artifacts as { id: string; port: string }[]).find((a) => a.port === 'data');
        const json = await get(`/api/artifacts/${encodeURIComponent(source?.id ?? '')}/preview`);
        expect(json.json.preview).toEqual({ kind: 'json', value: { values: [0, 1, 2, 3] } });
      });

      it('refuses bad parameters and unknown versions before writing anything', async () => {
        const count = (await stack.stack.metadata.listRuns()).length;
        expectProblem(await post('/api/runs', { spec: specOf(diamondModule.default), params: { n: 'ten' } }), 422, '/body/params/n');
        expectProblem(await post('/api/runs', { spec: specOf(diamondModule.default), params: { m: 1 } }), 422, '/body/params/m');
        expectProblem(await post('/api/runs', { pipelineVersionId: 'nope' }), 404, '/body/pipelineVersionId');
        expectProblem(await post('/api/runs', {}), 400, '/body/pipelineVersionId');
        expectProblem(await post('/api/runs', { spec: specOf(diamondModule.default), experiment: 'nope' }), 404, '/body/experiment');
        expect((await stack.stack.metadata.listRuns()).length).toBe(count);
      });
    });

    describe('run control through the API', () => {
      it('approves a waiting gate; a second decision is refused', async () => {
        const run = await submit(controlFlow.gated);
        const stream = await openEventStream(`${server.url}/api/runs/${run.id}/events`);
        await stream.next((e) => e.event === 'task' && (e.data as { task: string; state: string }).task === 'gate' && (e.data as { state: string }).state === 'waiting');
        const approved = await post(`/api/runs/${run.id}/approve`, { task: 'gate', comment: 'ship it' });
        expect(approved.status, approved.text).toBe(200);
        expect(approved.json).toEqual({ runId: run.id, task: 'gate', approved: true });
        const end = await stream.next((e) => e.event === 'end');
        expect((end.data as { run: RunRecord }).run.status).toBe('succeeded');
        const gate = ((await get(`/api/runs/${run.id}`)).json.executions as { taskId: string; outputParams: unknown }[]).find((e) => e.taskId === 'gate');
        expect(gate?.outputParams).toEqual({ approved: true, comment: 'ship it', by: 'local' });
        expectProblem(await post(`/api/runs/${run.id}/approve`, {}), 409);
      });

      it('rejects a gate (the run fails) and refuses a gate that does not exist', async () => {
        const run = await submit(controlFlow.gated);
        const stream = await openEventStream(`${server.url}/api/runs/${run.id}/events`);
        await stream.next((e) => e.event === 'task' && (e.data as { task: string; state: string }).task === 'gate' && (e.data as { state: string }).state === 'waiting');
        expectProblem(await post(`/api/runs/${run.id}/reject`, { task: 'deploy' }), 409, '/body/task');
        expect((await post(`/api/runs/${run.id}/reject`, { comment: 'no' })).json).toMatchObject({ task: 'gate', approved: false });
        const end = await stream.next((e) => e.event === 'end');
        expect((end.data as { run: RunRecord }).run.status).toBe('failed');
      });

      it('cancels a running run; cancelling it again is a conflict', async () => {
        const run = await submit(controlFlow.cancellableWithExit);
        const stream = await openEventStream(`${server.url}/api/runs/${run.id}/events`);
        await stream.next((e) => e.event === 'execution' && (e.data as { execution: { taskId: string; status: string } }).execution.taskId === 'long');
        const live = await get(`/api/runs/${run.id}`);
        expect(live.json.live).toMatchObject({ state: 'running', tasks: { long: { state: 'running' } } });
        const cancelled = await post(`/api/runs/${run.id}/cancel`);
        expect(cancelled.status, cancelled.text).toBe(202);
        const end = await stream.next((e) => e.event === 'end');
        expect((end.data as { run: RunRecord }).run.status).toBe('cancelled');
        expectProblem(await post(`/api/runs/${run.id}/cancel`), 409);
      });

      it('retries a failed run, reusing its succeeded steps', async () => {
        const flag = path.join(home, 'flag');
        const failed = await submit(execution.retryable, { flagFile: flag });
        expect((await watch(failed.id)).final).toMatchObject({ status: 'failed', failedTask: 'c' });
        await writeFile(flag, 'ok');
        const retried = await post(`/api/runs/${failed.id}/retry`);
        expect(retried.status, retried.text).toBe(201);
        expect(retried.json).toMatchObject({ retryOf: failed.id, reused: ['a', 'b'], run: { trigger: { kind: 'retry', of: failed.id } } });
        const again = retried.json.run as RunRecord;
        const { final, events } = await watch(again.id);
        expect(final.status).toBe('succeeded');
        const statuses = events.filter((e) => e.event === 'execution').map((e) => (e.data as { execution: { taskId: string; status: string } }).execution);
        expect(statuses).toEqual(expect.arrayContaining([expect.objectContaining({ taskId: 'a', status: 'cached' }), expect.objectContaining({ taskId: 'c', status: 'succeeded' })]));
        expectProblem(await post('/api/runs/nope/retry'), 404, '/params/runId');
      });
    });

    describe('runs list', () => {
      it('filters by pipeline, status, trigger and time, and pages with a cursor', async () => {
        const all = (await get('/api/runs?limit=500')).json.runs as RunRecord[];
        expect(all.length).toBeGreaterThanOrEqual(8);
        const succeeded = (await get('/api/runs?status=succeeded')).json.runs as RunRecord[];
        expect(succeeded.length).toBeGreaterThan(0);
        expect(succeeded.every((r) => r.status === 'succeeded')).toBe(true);
        expect(((await get('/api/runs?pipeline=gated')).json.runs as RunRecord[]).map((r) => r.pipelineName)).toEqual(['gated', 'gated']);
        expect(((await get('/api/runs?trigger=retry')).json.runs as RunRecord[]).length).toBe(1);
        expect(((await get('/api/runs?createdFrom=2999-01-01T00:00:00Z')).json.runs as RunRecord[]).length).toBe(0);
        expect(((await get('/api/runs?createdTo=2999-01-01')).json.runs as RunRecord[]).length).toBe(Math.min(all.length, 50));

        const seen: string[] = [];
        let cursor: string | null = null;
        do {
          const page: Answer = await get(`/api/runs?limit=3${cursor ? `&cursor=${cursor}` : ''}`);
          seen.push(...(page.json.runs as RunRecord[]).map((r) => r.id));
          cursor = page.json.nextCursor as string | null;
        } while (cursor);
        expect(seen).toEqual(all.map((r) => r.id));

        expectProblem(await get('/api/runs?status=bogus'), 400, '/query/status');
        expectProblem(await get('/api/runs?limit=0'), 400, '/query/limit');
        expectProblem(await get('/api/runs?createdFrom=yesterday'), 400, '/query/createdFrom');
        expectProblem(await get('/api/runs?cursor=nope'), 400, '/query/cursor');
        expectProblem(await get('/api/runs?colour=red'), 400, '/query/colour');
        expectProblem(await get('/api/runs?status=failed&status=succeeded'), 400, '/query/status');
      });

      it('streams changes of the runs list', async () => {
        const stream = await openEventStream(`${server.url}/api/runs/events`);
        const snapshot = await stream.next((e) => e.event === 'snapshot');
        expect(((snapshot.data as { runs: unknown[] }).runs).length).toBeGreaterThan(0);
        const run = await submit(controlFlow.branching, { mode: 'fast' });
        await stream.next((e) => e.event === 'run' && (e.data as { run: RunRecord }).run.id === run.id);
        await stream.next((e) => e.event === 'run' && (e.data as { run: RunRecord }).run.id === run.id && (e.data as { run: RunRecord }).run.status === 'succeeded');
        await stream.next((e) => e.event === ':comment' && e.data === 'heartbeat');
        // With a status filter, a run that leaves the status is announced once with its new state.
        const running = await openEventStream(`${server.url}/api/runs/events?status=running`);
        const gated = await submit(controlFlow.gated);
        await running.next((e) => e.event === 'run' && (e.data as { run: RunRecord }).run.id === gated.id);
        for (let i = 0; i < 100; i++) {
          if ((await post(`/api/runs/${gated.id}/approve`, {})).status === 200) break;
          await new Promise((r) => setTimeout(r, 100));
        }
        const left = await running.next((e) => e.event === 'run' && (e.data as { run: RunRecord }).run.id === gated.id && (e.data as { run: RunRecord }).run.status === 'succeeded');
        expect(left).toBeDefined();
        running.close();
        await stream.next((e) => e.event === 'run' && (e.data as { run: RunRecord }).run.id === gated.id && (e.data as { run: RunRecord }).run.status === 'succeeded');
        // A finished run's stream, reconnected (Last-Event-ID), is told to stop with 204.
        expect((await get(`/api/runs/${gated.id}/events`, { 'Last-Event-ID': '7' })).status).toBe(204);

        const open = async (): Promise<number> => Number(/^sluice_api_event_streams (\d+)$/m.exec((await get('/metrics')).text)?.[1]);
        expect(await open()).toBe(1);
        stream.close();
        // The server notices the client went away and stops polling for it.
        for (let i = 0; i < 50 && (await open()) !== 0; i++) await new Promise((r) => setTimeout(r, 100));
        expect(await open()).toBe(0);
      });
    });

    describe('experiments, catalog and operations', () => {
      it('groups runs into experiments', async () => {
        const created = await post('/api/experiments', { name: 'lr sweep', description: 'compare' });
        expect(created.status, created.text).toBe(201);
        expectProblem(await post('/api/experiments', { name: 'lr sweep' }), 409);
        const runs = ((await get('/api/runs?pipeline=gated')).json.runs as RunRecord[]).map((r) => r.id);
        expect((await post('/api/experiments/lr sweep/runs', { runIds: runs })).json).toMatchObject({ experiment: { runCount: runs.length } });
        expectProblem(await post('/api/experiments/lr sweep/runs', { runIds: ['nope'] }), 404, '/body/runIds/0');
        const one = await get(`/api/experiments/${encodeURIComponent('lr sweep')}`);
        expect((one.json.runs as RunRecord[]).map((r) => r.id).sort()).toEqual([...runs].sort());
        expect(((await get('/api/runs?experiment=lr%20sweep')).json.runs as RunRecord[]).length).toBe(runs.length);
        expect((await call('DELETE', `/api/experiments/lr sweep/runs/${runs[0]}`)).status).toBe(204);
        expect((await get('/api/experiments')).json.experiments).toEqual([objectWith({ name: 'lr sweep', runCount: runs.length - 1 })]);
        const withRun = await submit(controlFlow.branching, { mode: 'slow' }, { experiment: 'lr sweep' });
        expect(((await get('/api/experiments/lr sweep')).json.runs as RunRecord[]).map((r) => r.id)).toContain(withRun.id);
      });

      it('lists the component catalog with typed ports and categories', async () => {
        const res = await get('/api/components');
        const components = res.json.components as { name: string; category: string; description: string | null; inputs: Record<string, { type: string }>; spec: unknown }[];
        const produceEntry = components.find((c) => c.name === 'api-produce');
        expect(produceEntry).toMatchObject({ category: 'testing', description: containing('Test component'), inputs: { epochs: { kind: 'parameter', type: 'int', default: 3 } }, kind: 'function' });
        expect(produceEntry?.spec).toEqual(produce.spec);
        expect(components.find((c) => c.name === 'approval')).toMatchObject({ category: 'control', kind: 'approval' });
        expect(components.find((c) => c.name === 'square')).toMatchObject({ category: 'other', inputs: { x: { type: 'float' } } });
      });

      it('answers /healthz, /readyz and /metrics', async () => {
        expect((await get('/healthz')).json).toEqual({ status: 'ok' });
        expect((await get('/readyz')).json).toEqual({ status: 'ready', checks: { metadata: 'ok', temporal: 'ok' } });
        const metrics = await get('/metrics');
        expect(metrics.headers.get('content-type')).toMatch(/^text\/plain/);
        expect(metrics.text).toMatch(/sluice_runs\{status="succeeded"\} [1-9]/);
        expect(metrics.text).toMatch(/sluice_runs_submitted_total\{trigger="api"\} [1-9]/);
        expect(metrics.text).toMatch(/sluice_http_request_duration_seconds_bucket\{.*route="\/api\/runs\/:runId".*\}/);
        expect(metrics.text).toContain('process_cpu_user_seconds_total');
        expect(metrics.text).toMatch(/^sluice_tasks_waiting\{queue="[^"]+-cpu"\} \d+$/m);
      });

      it('says which dependency is down (503 on /readyz) and hides internal errors behind an error id', async () => {
        const broken = new Proxy(stack.stack.metadata, {
          get(target, prop, receiver) {
            // The runs list reads through searchRuns; the readiness check through listRuns.
            if (prop === 'listRuns' || prop === 'searchRuns') return () => Promise.reject(new Error('connection terminated unexpectedly'));
            return Reflect.get(target, prop, receiver) as unknown;
          },
        });
        // Never closed: closing a channel under the client's pending connect retries throws from a timer.
        const connection = Connection.lazy({ address: '127.0.0.1:1', connectTimeout: 1000 });
        const down = await createApiServer({
          metadata: broken,
          artifacts: stack.stack.artifacts,
          client: new Client({ connection }),
          registry: stack.stack.registry,
          taskQueuePrefix: stack.stack.taskQueuePrefix,
          auth: { enabled: false },
          logger: silent,
        }).listen({ host: '127.0.0.1', port: 0 });
        try {
          const ready = await get(`${down.url}/readyz`);
          expectProblem(ready, 503);
          expect(ready.json.checks).toMatchObject({ metadata: 'connection terminated unexpectedly', temporal: matching(/./) });
          expect(ready.json.detail).toMatch(/the metadata store .* and the Temporal server .* did not answer/);
          const failed = await get(`${down.url}/api/runs`);
          expectProblem(failed, 500);
          expect(failed.json.detail).toMatch(/error id [0-9a-f]{8}/);
          expect(failed.text).not.toContain('connection terminated');
        } finally {
          await down.close();
        }
      });

      it('answers unknown paths with 404 and known paths with a wrong method with 405, as problems', async () => {
        expectProblem(await get('/api/nothing-here'), 404);
        const wrong = await call('DELETE', '/api/runs');
        expectProblem(wrong, 405);
        expect(wrong.headers.get('allow')).toBe('POST, GET, HEAD');
        expectProblem(await call('POST', '/api/runs', '{"spec": ', {}), 400, '/body');
        expectProblem(await call('POST', '/api/runs', 'spec=1', { 'Content-Type': 'text/plain' }), 415, '/headers/content-type');
      });
    });

    describe('the OpenAPI document', () => {
      it('lists every route with its operation, parameters and responses, and validates as OpenAPI 3.0', async () => {
        const res = await get('/api/openapi.json');
        const doc = res.json as {
          openapi: string;
          info: { title: string; version: string };
          paths: Record<string, Record<string, { operationId: string; responses: Record<string, { description: string; content?: Record<string, { schema?: unknown }> }>; parameters?: { name: string; in: string; required?: boolean; schema?: unknown }[]; security?: unknown }>>;
          components: { schemas: Record<string, unknown>; securitySchemes: Record<string, unknown> };
        };
        expect(doc.openapi).toMatch(/^3\.0\.\d$/);
        expect(doc.info).toMatchObject({ title: 'Sluice API', version: anyOf(String) });
        const operationIds = new Set<string>();
        for (const route of api.routes) {
          const template = route.path.replace(/:(\w+)/g, '{$1}');
          const op = doc.paths[template]?.[route.method];
          expect(op, `${route.method} ${template}`).toBeDefined();
          if (!op) continue;
          expect(op.operationId).toBe(route.operationId);
          expect(operationIds.has(op.operationId)).toBe(false);
          operationIds.add(op.operationId);
          expect(Object.keys(op.responses).length).toBeGreaterThan(1);
          for (const [status, response] of Object.entries(op.responses)) {
            expect(status).toMatch(/^[1-5]\d\d$/);
            expect(response.description).toEqual(expect.any(String));
            if (Number(status) >= 400) expect(Object.keys(response.content ?? {})).toEqual(['application/problem+json']);
          }
          // Every path template variable is a required path parameter, and no other path parameter exists.
          const vars = [...template.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
          const pathParams = (op.parameters ?? []).filter((p) => p.in === 'path');
          expect(pathParams.map((p) => p.name).sort()).toEqual([...vars].sort());
          expect(pathParams.every((p) => p.required === true && p.schema)).toBe(true);
          for (const p of op.parameters ?? []) expect(['path', 'query', 'header', 'cookie']).toContain(p.in);
          expect(op.security !== undefined).toBe(route.access !== 'public');
        }
        // Every operation in the document is a route (nothing documented that does not exist).
        const documented = Object.entries(doc.paths).flatMap(([p, item]) => Object.keys(item).map((m) => `${m} ${p}`));
        expect(documented.sort()).toEqual(api.routes.map((r) => `${r.method} ${r.path.replace(/:(\w+)/g, '{$1}')}`).sort());
        // Every $ref resolves.
        for (const ref of res.text.matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)) expect(doc.components.schemas[ref[1] ?? '']).toBeDefined();
        expect(doc.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
      });

      it('serves the reference page and its assets locally', async () => {
        const redirect = await get('/api/docs');
        expect(redirect.status).toBe(301);
        expect(redirect.headers.get('location')).toBe('/api/docs/');
        const page = await get('/api/docs/');
        expect(page.status).toBe(200);
        expect(page.text).toContain('swagger-ui');
        expect(page.text).not.toMatch(/https?:\/\/(?!www\.w3\.org)[a-z0-9.-]+\.[a-z]{2,}\/[^"']*\.(js|css)/i);
        expect((await get('/api/docs/swagger-ui-bundle.js')).status).toBe(200);
        expect((await get('/api/docs/swagger-ui-init.js')).text).toContain('"openapi"');
      });
    });

    describe('auth', () => {
      let secured: RunningApiServer;
      const tokens: Record<string, string> = {};
      const bearer = (role: string) => ({ Authorization: `Bearer ${tokens[role]}` });

      beforeAll(async () => {
        for (const role of ['viewer', 'editor', 'admin'] as const) tokens[role] = (await createApiToken(stack.stack.metadata, { name: `${role}-1`, role })).token;
        secured = await createApiServer({
          metadata: stack.stack.metadata,
          artifacts: stack.stack.artifacts,
          client: stack.stack.client,
          registry: stack.stack.registry,
          taskQueuePrefix: stack.stack.taskQueuePrefix,
          auth: { enabled: true },
          logger: silent,
          live: { pollMs: 150, heartbeatMs: 300 },
        }).listen({ host: '0.0.0.0', port: 0 });
      });
      afterAll(async () => {
        await secured?.close();
      });

      const at = (p: string) => `http://127.0.0.1:${secured.port}${p}`;

      it('refuses requests without a valid token with 401', async () => {
        const none = await get(at('/api/runs'));
        expectProblem(none, 401, '/headers/authorization');
        expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
        expectProblem(await get(at('/api/runs'), { Authorization: 'Bearer sluice_000000000000_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' }), 401);
        expectProblem(await get(at('/api/runs'), { Authorization: `Bearer ${(tokens.viewer ?? '').slice(0, -1)}x` }), 401);
        expectProblem(await get(at('/api/runs'), { Authorization: 'Basic dXNlcjpwdw==' }), 401);
        expect((await get(at('/healthz'))).status).toBe(200); // public
        expect((await get(at('/api/openapi.json'))).status).toBe(200);
      });

      it('lets a viewer read but not submit (403), an editor submit but not manage tokens, an admin do both', async () => {
        expect((await get(at('/api/runs'), bearer('viewer'))).status).toBe(200);
        const count = (await stack.stack.metadata.listRuns()).length;
        const refused = await post(at('/api/runs'), { spec: specOf(controlFlow.branching), params: { mode: 'fast' } }, bearer('viewer'));
        expectProblem(refused, 403);
        expect(refused.json.detail).toMatch(/needs the editor role/);
        expect((await stack.stack.metadata.listRuns()).length).toBe(count);

        const submitted = await post(at('/api/runs'), { spec: specOf(controlFlow.branching), params: { mode: 'fast' } }, bearer('editor'));
        expect(submitted.status, submitted.text).toBe(201);
        expect((submitted.json.run as RunRecord).trigger).toEqual({ kind: 'api', by: 'editor-1' });
        expectProblem(await get(at('/api/tokens'), bearer('editor')), 403);

        const created = await post(at('/api/tokens'), { name: 'ci', role: 'viewer' }, bearer('admin'));
        expect(created.status, created.text).toBe(201);
        const secret = created.json.secret as string;
        const id = (created.json.token as { id: string }).id;
        expect((await get(at('/api/runs?limit=1'), { Authorization: `Bearer ${secret}` })).status).toBe(200);
        expect(((await get(at('/api/tokens'), bearer('admin'))).json.tokens as { id: string }[]).map((t) => t.id)).toContain(id);
        // The random part may itself hold '_' (base64url): everything after the id is the secret.
        expect(secret.startsWith(`sluice_${id}_`)).toBe(true);
        expect(JSON.stringify((await get(at('/api/tokens'), bearer('admin'))).json)).not.toContain(secret.slice(`sluice_${id}_`.length));
        expect((await call('DELETE', at(`/api/tokens/${id}`), undefined, bearer('admin'))).status).toBe(204);
        const revoked = await get(at('/api/runs?limit=1'), { Authorization: `Bearer ${secret}` });
        expectProblem(revoked, 401);
        expect(revoked.json.detail).toMatch(/revoked/);
      });

      it('accepts the token as a query parameter on event streams only', async () => {
        const stream = await openEventStream(at(`/api/runs/events?access_token=${tokens.viewer}`));
        expect(stream.status).toBe(200);
        await stream.next((e) => e.event === 'snapshot');
        stream.close();
        expectProblem(await get(at(`/api/runs?access_token=${tokens.viewer}`)), 401);
        expectProblem(await get(at('/api/runs/events?access_token=nope')), 401);
      });
    });

    describe('listening', () => {
      it('refuses to listen on a public address with auth off, and allows loopback', async () => {
        const open = createApiServer({
          metadata: stack.stack.metadata,
          artifacts: stack.stack.artifacts,
          client: stack.stack.client,
          registry: stack.stack.registry,
          taskQueuePrefix: stack.stack.taskQueuePrefix,
          auth: { enabled: false },
          logger: silent,
        });
        for (const host of ['0.0.0.0', '::', '192.168.1.10', 'example.com']) {
          await expect(open.listen({ host, port: 0 })).rejects.toMatchObject({ name: 'ApiServerError', code: 'insecure-bind', message: matching(/refusing to listen on .* with authentication off/) });
        }
        const local = await open.listen({ host: 'localhost', port: 0 });
        expect((await get(`${local.url}/healthz`)).status).toBe(200);
        await local.close();
        await expect(open.listen({ host: '127.0.0.1', port: server.port })).rejects.toThrow(/port is in use/);
      });
    });
  });
}
