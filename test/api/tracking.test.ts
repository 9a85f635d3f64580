/**
 * Experiment tracking on Sluice's API (issue 13), through the contract's typed client, so every
 * answer is checked against the contract: experiments renamed and archived (closed to new runs), a
 * run in at most one experiment, tags and a note edited after the fact, the runs list searched with
 * an MLflow-style filter, ordered by a metric or a parameter, paged, with chosen columns; a bad
 * filter, ordering or column is a 400 naming the field; runs compared; two pipeline versions diffed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compile, component, pipeline, t } from '../../dsl/index';
import { ApiError, createApiClient, type ApiClient } from '../../engine/contract/index';
import type { RunningApiServer } from '../../engine/server/index';
import { startTestApi } from '../support/apiServer';
import { startTestStack, type TestStack } from '../support/stackHarness';

const fit = component({
  name: 'tracking-fit',
  inputs: { epochs: t.int(), lr: t.float() },
  outputs: { score: t.float() },
  cache: false,
  run: ({ epochs, lr }, ctx) => {
    for (let step = 0; step < 3; step++) ctx.metric('loss', 1 / (epochs * (step + 1)), step);
    ctx.metric('accuracy', epochs / 100 + lr);
    return { score: epochs };
  },
});
const fitOther = component({
  name: 'tracking-fit',
  version: '2',
  inputs: { epochs: t.int(), lr: t.float() },
  outputs: { score: t.float() },
  cache: false,
  run: ({ epochs }, ctx) => {
    ctx.metric('accuracy', epochs / 200);
    return { score: epochs * 2 };
  },
});
const v1 = pipeline({ name: 'tracking-fit', inputs: { epochs: t.int({ default: 10 }), lr: t.float({ default: 0.01 }) } }, (p) => {
  const f = p.task(fit, { epochs: p.inputs.epochs, lr: p.inputs.lr }, { id: 'fit' });
  return { score: f.outputs.score };
});
const v2 = pipeline({ name: 'tracking-fit', inputs: { epochs: t.int({ default: 10 }), lr: t.float({ default: 0.01 }) } }, (p) => {
  const f = p.task(fitOther, { epochs: p.inputs.epochs, lr: 0.5 }, { id: 'fit', retry: { maxAttempts: 2 } });
  return { score: f.outputs.score };
});

const problem = async (call: Promise<unknown>): Promise<ApiError> => {
  const e = await call.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(ApiError);
  return e as ApiError;
};

describe('experiments, run search and comparison on the API', () => {
  let stack: TestStack;
  let server: RunningApiServer;
  let api: ApiClient;
  const ids: Record<string, string> = {};

  const submit = async (p: typeof v1, params: Record<string, number>, experiment?: string): Promise<string> => {
    const { run } = await api.submitRun({ body: { spec: compile(p).spec, params, ...(experiment ? { experiment } : {}) } });
    return run.id;
  };
  const waitDone = async (id: string): Promise<void> => {
    for (let i = 0; i < 600; i++) {
      const { run } = await api.getRun({ params: { runId: id } });
      if (['succeeded', 'failed', 'cancelled'].includes(run.status)) {
        expect(run.status).toBe('succeeded');
        return;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`run ${id} did not finish`);
  };

  beforeAll(async () => {
    stack = await startTestStack('pglite', [{ fit, fitOther }]);
    server = await startTestApi(stack);
    api = createApiClient({ baseUrl: server.url });
    await api.createExperiment({ body: { name: 'vision' } });
    ids.a = await submit(v1, { epochs: 10, lr: 0.01 }, 'vision');
    ids.b = await submit(v1, { epochs: 40, lr: 0.01 }, 'vision');
    ids.c = await submit(v1, { epochs: 40, lr: 0.1 });
    ids.d = await submit(v2, { epochs: 40, lr: 0.1 });
    for (const id of Object.values(ids)) await waitDone(id);
  });

  afterAll(async () => {
    await server?.close();
    await stack?.stop();
  });

  it('renames and archives an experiment; an archived one is hidden and takes no new runs until restored', async () => {
    const { experiment } = await api.createExperiment({ body: { name: 'scratch' } });
    const renamed = await api.updateExperiment({ params: { experiment: 'scratch' }, body: { name: 'scratch-2', description: 'tries' } });
    expect(renamed.experiment).toMatchObject({ id: experiment.id, name: 'scratch-2', description: 'tries', archivedAt: null });
    const taken = await problem(api.updateExperiment({ params: { experiment: 'scratch-2' }, body: { name: 'vision' } }));
    expect(taken).toMatchObject({ status: 409 });
    expect(taken.errors.map((e) => e.path)).toEqual(['/body/name']);

    const archived = await api.updateExperiment({ params: { experiment: experiment.id }, body: { archived: true } });
    expect(archived.experiment.archivedAt).not.toBeNull();
    expect((await api.listExperiments()).experiments.map((e) => e.name)).not.toContain('scratch-2');
    expect((await api.listExperiments({ query: { archived: 'true' } })).experiments.map((e) => e.name)).toContain('scratch-2');
    const closed = await problem(api.submitRun({ body: { spec: compile(v1).spec, experiment: 'scratch-2' } }));
    expect(closed).toMatchObject({ status: 409 });
    expect(closed.errors.map((e) => e.path)).toEqual(['/body/experiment']);
    expect((await problem(api.addExperimentRuns({ params: { experiment: 'scratch-2' }, body: { runIds: [ids.c ?? ''] } }))).status).toBe(409);
    await api.updateExperiment({ params: { experiment: experiment.id }, body: { archived: false } });

    // A run belongs to at most one experiment: putting c here takes it out of nowhere; b moves from vision.
    await api.addExperimentRuns({ params: { experiment: 'scratch-2' }, body: { runIds: [ids.b ?? ''] } });
    expect((await api.getRun({ params: { runId: ids.b ?? '' } })).experiment).toEqual({ id: experiment.id, name: 'scratch-2' });
    expect((await api.getExperiment({ params: { experiment: 'vision' } })).runs.map((r) => r.id)).toEqual([ids.a]);
    await api.addExperimentRuns({ params: { experiment: 'vision' }, body: { runIds: [ids.b ?? ''] } });
    expect((await api.getExperiment({ params: { experiment: 'vision' } })).experiment.runCount).toBe(2);
  });

  it('sets and removes tags and the note after the fact, and shows them with the run', async () => {
    const runId = ids.a ?? '';
    expect(await api.updateRun({ params: { runId }, body: { tags: { team: 'vision', stage: 'try' }, note: 'first try, lr too low' } })).toEqual({
      tags: { stage: 'try', team: 'vision' },
      note: 'first try, lr too low',
    });
    expect(await api.updateRun({ params: { runId }, body: { tags: { stage: null } } })).toEqual({ tags: { team: 'vision' }, note: 'first try, lr too low' });
    const detail = await api.getRun({ params: { runId } });
    expect(detail).toMatchObject({ tags: { team: 'vision' }, note: 'first try, lr too low', experiment: { name: 'vision' } });
    expect((await api.updateRun({ params: { runId }, body: { note: null } })).note).toBeNull();
    expect((await problem(api.updateRun({ params: { runId: 'nope' }, body: { note: 'x' } }))).status).toBe(404);
    const bad = await problem(api.updateRun({ params: { runId }, body: { tags: { 'bad\nkey': 'x' } } }));
    expect(bad.status).toBe(400);
  });

  it('searches runs with a typed filter, orders by a metric or a parameter, pages, and carries chosen columns', async () => {
    const mine = `pipeline = 'tracking-fit'`;
    const byAccuracy = await api.listRuns({ query: { filter: `${mine} and metrics.accuracy > 0.3`, orderBy: 'metrics.accuracy desc', columns: 'params.epochs,metrics.accuracy,tags.team' } });
    // a: 0.11, b: 0.41, c: 0.5, d: 0.2
    expect(byAccuracy.runs.map((r) => r.id)).toEqual([ids.c, ids.b]);
    expect(byAccuracy.runs[1]?.columns).toEqual({ 'params.epochs': 40, 'metrics.accuracy': 40 / 100 + 0.01, 'tags.team': null });

    const byParam = await api.listRuns({ query: { filter: mine, orderBy: 'params.lr desc, metrics.loss', limit: 2 } });
    expect(byParam.runs.map((r) => r.id)).toEqual([ids.c, ids.d]);
    expect(byParam.nextCursor).toBe('@2');
    const next = await api.listRuns({ query: { filter: mine, orderBy: 'params.lr desc, metrics.loss', limit: 2, cursor: byParam.nextCursor ?? '' } });
    // lr 0.01 both; loss (last step): b 1/120 < a 1/30.
    expect(next.runs.map((r) => r.id)).toEqual([ids.b, ids.a]);
    expect(next.nextCursor).toBeNull();

    const tagged = await api.listRuns({ query: { filter: `tags.team = 'vision' and params.epochs = 10 and status = 'succeeded'`, experiment: 'vision' } });
    expect(tagged.runs.map((r) => r.id)).toEqual([ids.a]);
    // The default order pages by run id, as before.
    const first = await api.listRuns({ query: { filter: mine, limit: 3 } });
    expect(first.runs.map((r) => r.id)).toEqual([ids.d, ids.c, ids.b]);
    const last = await api.listRuns({ query: { filter: mine, cursor: first.nextCursor ?? '' } });
    expect(last.runs.map((r) => r.id)).toEqual([ids.a]);
    // Each run carries its experiment, id and name (the editor names it without looking it up); null: none.
    const vision = (await api.listExperiments()).experiments.find((e) => e.name === 'vision');
    expect(last.runs[0]?.experiment).toEqual({ id: vision?.id, name: 'vision' });
    expect(first.runs[0]?.experiment).toBeNull();
  });

  it('refuses a bad filter, ordering, column or cursor with a 400 naming the field and the token, never a 5xx', async () => {
    const cases: [Record<string, string>, string, RegExp][] = [
      [{ filter: 'metrics.accuracy >> 0.9' }, '/query/filter', /">"/],
      [{ filter: "metrics.accuracy > 'high'" }, '/query/filter', /'high'/],
      [{ filter: 'colour = 3' }, '/query/filter', /colour/],
      [{ filter: "params.x = 1 or params.y = 2" }, '/query/filter', /or/],
      [{ filter: "1; drop table runs" }, '/query/filter', /1/],
      [{ orderBy: 'tags.team' }, '/query/orderBy', /tags\.team/],
      [{ columns: 'epochs' }, '/query/columns', /epochs/],
      [{ orderBy: 'metrics.accuracy', cursor: ids.a ?? '' }, '/query/cursor', /cursor/],
    ];
    for (const [query, path, token] of cases) {
      const e = await problem(api.listRuns({ query }));
      expect(e.status, JSON.stringify(query)).toBe(400);
      expect(e.errors.map((x) => x.path), JSON.stringify(query)).toEqual([path]);
      expect(e.message, JSON.stringify(query)).toMatch(token);
    }
    expect((await problem(api.listRuns({ query: { experiment: 'nope' } }))).errors.map((x) => x.path)).toEqual(['/query/experiment']);
  });

  it('compares runs: params side by side with differences, final metrics with the best marked, series, pipeline change', async () => {
    const cmp = await api.compareRuns({ query: { ids: [ids.a, ids.b, ids.d].join(',') } });
    expect(cmp.runs.map((r) => r.id)).toEqual([ids.a, ids.b, ids.d]);
    expect(cmp.pipelineChanged).toBe(true);
    expect(cmp.params).toEqual([
      { key: 'epochs', values: [10, 40, 40], differs: true },
      { key: 'lr', values: [0.01, 0.01, 0.1], differs: true },
    ]);
    const accuracy = cmp.metrics.find((m) => m.key === 'accuracy');
    expect(accuracy).toMatchObject({ direction: 'higher', directionFrom: 'default', best: [1] });
    const loss = cmp.metrics.find((m) => m.key === 'loss');
    expect(loss).toMatchObject({ values: [1 / 30, 1 / 120, null], direction: 'lower', directionFrom: 'key', best: [1] });
    expect(cmp.series).toContainEqual({ runId: ids.a, taskId: 'fit', key: 'loss', points: 3 });
    const overridden = await api.compareRuns({ query: { ids: `${ids.a},${ids.b}`, higherIsBetter: 'loss' } });
    expect(overridden.metrics.find((m) => m.key === 'loss')).toMatchObject({ direction: 'higher', directionFrom: 'request', best: [0] });
    expect((await api.compareRuns({ query: { ids: `${ids.a},${ids.b}` } })).pipelineChanged).toBe(false);

    const missing = await problem(api.compareRuns({ query: { ids: `${ids.a},nope` } }));
    expect(missing).toMatchObject({ status: 404 });
    expect(missing.errors.map((e) => e.path)).toEqual(['/query/ids/1']);
    expect((await problem(api.compareRuns({ query: { ids: ids.a ?? '' } }))).status).toBe(400);
  });

  it('diffs two versions of a pipeline by ordinal, id or digest prefix', async () => {
    const { versions } = await api.getPipeline({ params: { pipeline: 'tracking-fit' } });
    expect(versions).toHaveLength(2);
    const answer = await api.diffPipelineVersions({ params: { pipeline: 'tracking-fit' }, query: { from: 'v1', to: 'v2' } });
    expect(answer.from.id).toBe(versions[1]?.id);
    expect(answer.diff.identical).toBe(false);
    const change = answer.diff.tasks.changed[0];
    expect(change).toMatchObject({ id: 'fit', component: { from: { version: '1' }, to: { version: '2' } } });
    expect(change?.inputs).toEqual([{ name: 'lr', from: { pipelineInput: 'lr' }, to: { const: 0.5 } }]);
    expect(change?.options).toEqual([{ name: 'retry', from: null, to: { maxAttempts: 2 } }]);
    const byDigest = await api.diffPipelineVersions({ params: { pipeline: 'tracking-fit' }, query: { from: versions[0]?.digest.slice(0, 12) ?? '', to: versions[0]?.id ?? '' } });
    expect(byDigest.diff.identical).toBe(true);
    const unknown = await problem(api.diffPipelineVersions({ params: { pipeline: 'tracking-fit' }, query: { from: 'v1', to: 'v9' } }));
    expect(unknown).toMatchObject({ status: 404 });
    expect(unknown.errors.map((e) => e.path)).toEqual(['/query/to']);
  });
});
