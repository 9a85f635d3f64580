/**
 * The model registry through the API, the CLI and a pipeline: a run registers its model with the
 * register-model component (once, even when the attempt is retried) and points `challenger` at it;
 * versions show their producing run and its metrics; alias moves need a note, are recorded with who
 * made them, serialise when concurrent (compare-and-set with `expectedVersion`), and obey roles; a
 * non-Model artifact is refused naming the field. The CLI moves aliases and reads the history
 * through the same server.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerModel } from '../../components/index';
import { component, pipeline, t } from '../../dsl/index';
import { ApiError, createApiClient, type ApiClient } from '../../engine/contract/index';
import { createApiToken, type RunningApiServer } from '../../engine/server/index';
import type { RunRecord } from '../../engine/stores/metadata/MetadataStore';
import { startTestApi } from '../support/apiServer';
import { runCliWith } from '../support/cliProcess';
import { startTestStack, type TestStack } from '../support/stackHarness';

const fit = component({
  name: 'registry-fit',
  outputs: { model: t.Model(), data: t.Dataset() },
  cache: false,
  run: async (_inputs, ctx) => {
    await writeFile(ctx.outputs.model.path, '{"weights":[1,2]}');
    await writeFile(ctx.outputs.data.path, JSON.stringify({ columns: [{ name: 'x', type: 'number' }], rows: [[1]] }));
    ctx.metric('accuracy', 0.5, 0);
    ctx.metric('accuracy', 0.93, 1);
  },
});

/** register-model itself, whose first attempt dies after it has written (a worker crash, say). */
const crashingRegister = component({
  name: 'registry-crashing-register',
  inputs: { model: t.Model(), name: t.string(), alias: t.string(), note: t.string(), description: t.string({ default: '' }) },
  outputs: { version: t.int(), aliasMoved: t.bool() },
  cache: false,
  retry: { maxAttempts: 3, initialInterval: '100ms' },
  run: async (inputs, ctx) => {
    const result = await registerModel.run(inputs, ctx);
    if (ctx.attempt === 1) throw new Error('the worker died right after registering');
    return result;
  },
});

const registering = pipeline({ name: 'registry-registering' }, (p) => {
  const trained = p.task(fit, {}, { id: 'fit' });
  const registered = p.task(registerModel, { model: trained.outputs.model, name: 'flowers', alias: 'challenger', note: 'blessed by the pipeline' }, { id: 'register' });
  return { version: registered.outputs.version, model: trained.outputs.model, data: trained.outputs.data };
});

const retried = pipeline({ name: 'registry-retried' }, (p) => {
  const trained = p.task(fit, {}, { id: 'fit' });
  const registered = p.task(crashingRegister, { model: trained.outputs.model, name: 'retried', alias: 'challenger', note: 'blessed' }, { id: 'register' });
  return { version: registered.outputs.version };
});

describe('the model registry through the API and the CLI', () => {
  let ts: TestStack;
  let server: RunningApiServer;
  let secured: RunningApiServer;
  let api: ApiClient;
  let run: RunRecord;
  let home: string;

  beforeAll(async () => {
    ts = await startTestStack('pglite', [{ fit, registerModel, crashingRegister }]);
    server = await startTestApi(ts);
    secured = await startTestApi(ts, { auth: { enabled: true } });
    api = createApiClient({ baseUrl: server.url });
    run = await ts.run(registering);
    expect(run.error).toBeNull();
    home = await mkdtemp(path.join(os.tmpdir(), 'sluice-models-cli-'));
  }, 180_000);

  afterAll(async () => {
    await server?.close();
    await secured?.close();
    await ts?.stop();
    if (home) await rm(home, { recursive: true, force: true });
  });

  const problemOf = (e: unknown) => (e instanceof ApiError ? { status: e.status, code: e.code, paths: e.errors.map((f) => f.path) } : e);

  it("lists the model a run registered, with challenger on its version, and shows the version's run, task and metrics", async () => {
    const { models } = await api.listModels();
    expect(models).toEqual([expect.objectContaining({ name: 'flowers', latestVersion: 1, aliases: { challenger: 1 } })]);
    const shown = await api.getModel({ params: { model: 'flowers' } });
    const model = run.outputs?.model as string;
    expect(shown.versions).toEqual([
      expect.objectContaining({
        version: 1,
        artifactId: model,
        aliases: ['challenger'],
        createdBy: `run ${run.id} task register`,
        tags: { run: run.id, task: 'register' },
        producer: { runId: run.id, executionId: `${run.id}.fit`, taskId: 'fit' },
        metrics: { accuracy: 0.93 },
        artifact: expect.objectContaining({ id: model, type: 'Model' }) as object,
      }),
    ]);
    expect((await api.getModelAliasHistory({ params: { model: 'flowers' } })).events).toEqual([
      expect.objectContaining({ alias: 'challenger', fromVersion: null, toVersion: 1, actor: `run ${run.id} task register`, note: 'blessed by the pipeline' }),
    ]);
  });

  it('registers a Model artifact as the next version, and refuses a Dataset or a missing artifact naming the field', async () => {
    const created = await api.registerModelVersion({ params: { model: 'flowers' }, body: { artifactId: run.outputs?.model as string, description: 'by hand' } });
    expect(created.version).toMatchObject({ model: 'flowers', version: 2, createdBy: 'local', description: 'by hand', aliases: [] });
    const dataset = await api.registerModelVersion({ params: { model: 'flowers' }, body: { artifactId: run.outputs?.data as string } }).catch(problemOf);
    expect(dataset).toEqual({ status: 422, code: 'unprocessable', paths: ['/body/artifactId'] });
    const missing = await api.registerModelVersion({ params: { model: 'flowers' }, body: { artifactId: 'no-such-artifact' } }).catch(problemOf);
    expect(missing).toEqual({ status: 404, code: 'not-found', paths: ['/body/artifactId'] });
    expect((await api.getModel({ params: { model: 'flowers' } })).versions.map((v) => v.version)).toEqual([2, 1]);
  });

  it('moves aliases with a required note; a stale expectedVersion is a 409; concurrent compare-and-set moves: one wins', async () => {
    const noNote = await api.moveModelAlias({ params: { model: 'flowers', alias: 'champion' }, body: { version: 1, note: ' ' } }).catch(problemOf);
    expect(noNote).toMatchObject({ status: 400, paths: ['/body/note'] });
    const first = await api.moveModelAlias({ params: { model: 'flowers', alias: 'champion' }, body: { version: 1, note: 'first champion', expectedVersion: null } });
    expect(first).toMatchObject({ moved: true, event: { alias: 'champion', fromVersion: null, toVersion: 1, actor: 'local' }, model: { aliases: { champion: 1, challenger: 1 } } });
    const stale = await api.moveModelAlias({ params: { model: 'flowers', alias: 'champion' }, body: { version: 2, note: 'x', expectedVersion: 2 } }).catch(problemOf);
    expect(stale).toMatchObject({ status: 409, code: 'conflict' });
    const unknownVersion = await api.moveModelAlias({ params: { model: 'flowers', alias: 'champion' }, body: { version: 7, note: 'x' } }).catch(problemOf);
    expect(unknownVersion).toEqual({ status: 404, code: 'not-found', paths: ['/body/version'] });

    const moves = await Promise.allSettled(
      ['a', 'b', 'c'].map((who) => api.moveModelAlias({ params: { model: 'flowers', alias: 'champion' }, body: { version: 2, note: `promote (${who})`, expectedVersion: 1 } })),
    );
    expect(moves.filter((m) => m.status === 'fulfilled')).toHaveLength(1);
    for (const m of moves) if (m.status === 'rejected') expect(problemOf(m.reason)).toMatchObject({ status: 409 });
    const history = (await api.getModelAliasHistory({ params: { model: 'flowers' }, query: { alias: 'champion' } })).events;
    expect(history.map((e) => [e.fromVersion, e.toVersion])).toEqual([
      [null, 1],
      [1, 2],
    ]);
  });

  it("changes a model's and a version's description and tags (a null tag removes it)", async () => {
    const { model } = await api.updateModel({ params: { model: 'flowers' }, body: { description: 'iris species', tags: { team: 'ml', tmp: 'x' } } });
    expect(model).toMatchObject({ description: 'iris species', tags: { team: 'ml', tmp: 'x' } });
    expect((await api.updateModel({ params: { model: 'flowers' }, body: { tags: { tmp: null } } })).model.tags).toEqual({ team: 'ml' });
    const { version } = await api.updateModelVersion({ params: { model: 'flowers', version: '1' }, body: { description: 'from the pipeline' } });
    expect(version).toMatchObject({ version: 1, description: 'from the pipeline' });
    expect(await api.updateModelVersion({ params: { model: 'flowers', version: '9' }, body: {} }).catch(problemOf)).toMatchObject({ status: 404, paths: ['/params/version'] });
    expect(await api.updateModel({ params: { model: 'nope' }, body: {} }).catch(problemOf)).toMatchObject({ status: 404, paths: ['/params/model'] });
  });

  it('publishes the registry routes in the OpenAPI document', async () => {
    const doc = (await (await fetch(`${server.url}/api/openapi.json`)).json()) as { paths: Record<string, Record<string, { operationId: string }>> };
    expect(doc.paths['/api/models/{model}/aliases/{alias}']?.post?.operationId).toBe('moveModelAlias');
    expect(doc.paths['/api/models/{model}/history']?.get?.operationId).toBe('getModelAliasHistory');
    expect(doc.paths['/api/models/{model}/versions/{version}']?.post?.operationId).toBe('updateModelVersion');
  });

  it('lets a viewer read but not move, and records an editor token by name', async () => {
    const viewer = createApiClient({ baseUrl: secured.url, token: (await createApiToken(ts.stack.metadata, { name: 'vera', role: 'viewer' })).token });
    const { record, token } = await createApiToken(ts.stack.metadata, { name: 'eddie', role: 'editor' });
    const editor = createApiClient({ baseUrl: secured.url, token });
    expect((await viewer.getModel({ params: { model: 'flowers' } })).model.name).toBe('flowers');
    expect(await viewer.moveModelAlias({ params: { model: 'flowers', alias: 'champion' }, body: { version: 1, note: 'x' } }).catch(problemOf)).toMatchObject({ status: 403 });
    const moved = await editor.moveModelAlias({ params: { model: 'flowers', alias: 'canary' }, body: { version: 2, note: 'canary for 5% of traffic' } });
    expect(moved.event.actor).toBe(`eddie (token ${record.id})`);
  });

  it('registers once and moves the alias once when the register-model attempt is retried', async () => {
    const r = await ts.run(retried);
    expect(r.status).toBe('succeeded');
    const [execution] = (await ts.stack.metadata.listExecutions(r.id)).filter((e) => e.taskId === 'register');
    expect(execution).toMatchObject({ status: 'succeeded', attempt: 2, outputParams: { version: 1, aliasMoved: false } });
    expect((await api.getModel({ params: { model: 'retried' } })).versions.map((v) => v.version)).toEqual([1]);
    expect((await api.getModelAliasHistory({ params: { model: 'retried' } })).events).toHaveLength(1);
  });

  it('sluice models alias|history|show|list go through the server: the note and the actor are kept', { timeout: 120_000 }, async () => {
    const sluice = (...args: string[]) => runCliWith({ home, env: { SLUICE_URL: server.url } }, 'models', ...args);
    const moved = await sluice('alias', 'flowers', 'champion', '1', '--note', 'rollback: v2 regressed on new data', '--expect', '2');
    expect(moved.code, moved.out).toBe(0);
    expect(moved.out).toContain('champion: v2 → v1  by local: rollback: v2 regressed on new data');
    const stale = await sluice('alias', 'flowers', 'champion', '2', '--note', 'again', '--expect', '2');
    expect(stale.code).toBe(1);
    expect(stale.out).toMatch(/error: alias "champion" of model "flowers" points at version 1, not version 2/);
    const noNote = await sluice('alias', 'flowers', 'champion', '2');
    expect(noNote.code).toBe(1);
    expect(noNote.out).toContain("required option '--note <text>' not specified");
    const history = await sluice('history', 'flowers', '--alias', 'champion');
    expect(history.code, history.out).toBe(0);
    expect(history.out.trim().split('\n').map((l) => l.replace(/^\S+\s+/, ''))).toEqual([
      'champion: (new) → v1  by local: first champion',
      expect.stringMatching(/^champion: v1 → v2 {2}by local: promote \([abc]\)$/) as string,
      'champion: v2 → v1  by local: rollback: v2 regressed on new data',
    ]);
    const show = await sluice('show', 'flowers');
    expect(show.out).toContain('model flowers  aliases canary→v2, challenger→v1, champion→v1');
    expect(show.out).toMatch(new RegExp(`v1 \\[challenger, champion\\]  artifact \\S+  \\(run ${run.id} task fit\\)  accuracy=0.93`));
    const list = await sluice('list', '--json');
    expect(JSON.parse(list.out)).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'flowers', latestVersion: 2 })]));
  });
});
