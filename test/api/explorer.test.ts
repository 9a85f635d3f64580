/**
 * What the editor's run view and lineage explorer ask of the API, beyond the basics api.test.ts
 * covers: lineage one hop at a time (artifact and execution neighbourhoods with neighbour counts and
 * run names, for lazy expansion), Dataset previews with their schema, runs with task counts (list
 * and live), and artifact downloads with the token in the query (a plain download link).
 */
import { writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compile, component, pipeline, t } from '../../dsl/index';
import { ApiError, createApiClient } from '../../engine/contract/index';
import { createApiToken, type RunningApiServer } from '../../engine/server/index';
import type { RunRecord } from '../../engine/stores/metadata/MetadataStore';
import { openEventStream } from '../support/eventStream';
import { startTestApi } from '../support/apiServer';
import { startTestStack, type TestStack } from '../support/stackHarness';

const load = component({
  name: 'explorer-load',
  outputs: { dataset: t.Dataset() },
  cache: false,
  run: async (_inputs, ctx) => {
    const dataset = { columns: [{ name: 'x', type: 'number' }, { name: 'label', type: 'string' }], target: 'label', rows: [[1, 'a'], [2, 'b'], [3, 'a']] };
    await writeFile(ctx.outputs.dataset.path, JSON.stringify(dataset));
  },
});
const fit = component({
  name: 'explorer-fit',
  inputs: { train: t.Dataset() },
  outputs: { model: t.Model(), notes: t.Markdown() },
  cache: false,
  run: async (_inputs, ctx) => {
    await writeFile(ctx.outputs.model.path, '{"weights":[1,2]}');
    await writeFile(ctx.outputs.notes.path, '# fitted\n');
  },
});
const score = component({
  name: 'explorer-score',
  inputs: { model: t.Model(), test: t.Dataset() },
  outputs: { metrics: t.Metrics() },
  cache: false,
  run: async (_inputs, ctx) => {
    await writeFile(ctx.outputs.metrics.path, '{"accuracy":1}');
  },
});
// The same two steps with caching on: a second run reuses both.
const cachedLoad = component({
  name: 'explorer-cached-load',
  outputs: { dataset: t.Dataset() },
  run: async (_inputs, ctx) => {
    await writeFile(ctx.outputs.dataset.path, JSON.stringify({ columns: [{ name: 'x', type: 'number' }], rows: [[1], [2]] }));
  },
});
const cachedFit = component({
  name: 'explorer-cached-fit',
  inputs: { train: t.Dataset() },
  outputs: { model: t.Model() },
  run: async (_inputs, ctx) => {
    await writeFile(ctx.outputs.model.path, '{"weights":[3]}');
  },
});
const reusable = pipeline({ name: 'explorer-reusable' }, (p) => {
  const data = p.task(cachedLoad, {}, { id: 'load' });
  const model = p.task(cachedFit, { train: data.outputs.dataset }, { id: 'fit' });
  return { model: model.outputs.model };
});

const chain = pipeline({ name: 'explorer-chain' }, (p) => {
  const data = p.task(load, {}, { id: 'load' });
  const model = p.task(fit, { train: data.outputs.dataset }, { id: 'fit' });
  p.task(score, { model: model.outputs.model, test: data.outputs.dataset }, { id: 'score' });
  return { model: model.outputs.model };
});

interface Graph {
  root: string;
  nodes: { kind: string; id: string; depth: number; execution?: { status: string; cachedFrom: string | null }; reusedBy?: { executions: number; runs: number } }[];
  edges: { from: string; to: string; kind: string; port: string }[];
  neighbours: { id: string; upstream: number; downstream: number; reusedBy: { executions: number; runs: number } }[];
  runs: { id: string; pipelineName: string; status: string }[];
  truncated: boolean;
}

describe('the API behind the run view and the lineage explorer', () => {
  let stack: TestStack;
  let server: RunningApiServer;
  let secured: RunningApiServer;
  let run: RunRecord;
  const id = (task: string, port?: string): string => `${run.id}.${task}${port !== undefined ? `.${port}` : ''}`;
  const getJson = async <T>(p: string, base = server.url): Promise<{ status: number; body: T }> => {
    const res = await fetch(base + p);
    return { status: res.status, body: (await res.json()) as T };
  };

  beforeAll(async () => {
    stack = await startTestStack('pglite', [{ chain, reusable }]);
    server = await startTestApi(stack);
    secured = await startTestApi(stack, { auth: { enabled: true } });
    const res = await fetch(`${server.url}/api/runs`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ spec: compile(chain).spec }) });
    run = ((await res.json()) as { run: RunRecord }).run;
    const events = await openEventStream(`${server.url}/api/runs/${run.id}/events`);
    const end = await events.next((e) => e.event === 'end', 90_000);
    expect((end.data as { run: RunRecord }).run.status).toBe('succeeded');
  });

  afterAll(async () => {
    await server?.close();
    await secured?.close();
    await stack?.stop();
  });

  it("gives the contract's typed client (what the editor and the CLI use) answers it accepts, and problems it reads", async () => {
    const api = createApiClient({ baseUrl: server.url });
    // Each call parses its answer with the contract's schema: a drift fails here with the field's path.
    const detail = await api.getRun({ params: { runId: run.id } });
    expect(detail.executions.map((e) => e.taskId).sort()).toEqual(['fit', 'load', 'score']);
    expect(detail.run.outputs).toEqual({ model: id('fit', 'model') });
    expect((await api.listRuns({ query: { taskCounts: 'true', limit: 5 } })).runs[0]?.taskCounts).toEqual({ succeeded: 3 });
    expect((await api.getRunLogs({ params: { runId: run.id }, query: { task: 'fit' } })).lines).toEqual(expect.any(Array));
    expect((await api.getRunMetrics({ params: { runId: run.id } })).series).toEqual(expect.any(Array));
    expect((await api.getArtifact({ params: { artifactId: id('fit', 'model') } })).producedBy).toEqual([expect.objectContaining({ taskId: 'fit', port: 'model' })]);
    expect((await api.previewArtifact({ params: { artifactId: id('fit', 'notes') } })).preview).toEqual({ kind: 'text', mediaType: 'text/markdown', text: '# fitted\n', truncated: false });
    expect((await api.getRunLineage({ params: { runId: run.id } })).nodes).toHaveLength(7);
    const version = await api.getPipelineVersion({ params: { pipeline: 'explorer-chain', version: detail.run.pipelineVersionId } });
    expect(version.version.spec.name).toBe('explorer-chain');
    expect((await api.listComponents()).components.map((c) => c.name)).toContain('approval');
    // A refusal arrives as an ApiError carrying the problem's code, status and field.
    const missing = await api.getRun({ params: { runId: 'nope' } }).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(ApiError);
    expect(missing).toMatchObject({ code: 'not-found', status: 404 });
    expect((missing as ApiError).errors.map((e) => e.path)).toEqual(['/params/runId']);
    const denied = await createApiClient({ baseUrl: secured.url }).listRuns().catch((e: unknown) => e);
    expect(denied).toMatchObject({ code: 'unauthorized', status: 401 });
  });

  it('answers one upstream hop from a model with neighbour counts and run names', async () => {
    const { status, body } = await getJson<Graph>(`/api/artifacts/${encodeURIComponent(id('fit', 'model'))}/lineage?direction=upstream&depth=1`);
    expect(status).toBe(200);
    expect(body.nodes.map((n) => n.id).sort()).toEqual([id('fit'), id('fit', 'model'), id('load', 'dataset')].sort());
    expect(body.runs).toEqual([expect.objectContaining({ id: run.id, pipelineName: 'explorer-chain', status: 'succeeded' })]);
    const counts = new Map(body.neighbours.map((n) => [n.id, n]));
    // The dataset has a producer (load) not in this hop, and two readers (fit, score), one shown.
    const none = { executions: 0, runs: 0 };
    expect(counts.get(id('load', 'dataset'))).toEqual({ id: id('load', 'dataset'), upstream: 1, downstream: 2, reusedBy: none });
    expect(counts.get(id('fit'))).toEqual({ id: id('fit'), upstream: 1, downstream: 2, reusedBy: none });
    expect(counts.get(id('fit', 'model'))).toEqual({ id: id('fit', 'model'), upstream: 1, downstream: 1, reusedBy: none });
  });

  it("answers an execution's own artifacts (one hop), by direction, and further hops with depth", async () => {
    const both = await getJson<Graph>(`/api/executions/${encodeURIComponent(id('fit'))}/lineage`);
    expect(both.status).toBe(200);
    expect(both.body.root).toBe(id('fit'));
    expect(both.body.nodes.map((n) => n.id).sort()).toEqual([id('fit'), id('fit', 'model'), id('fit', 'notes'), id('load', 'dataset')].sort());
    expect(both.body.edges).toEqual(
      expect.arrayContaining([
        { from: id('load', 'dataset'), to: id('fit'), kind: 'input', port: 'train' },
        { from: id('fit'), to: id('fit', 'notes'), kind: 'output', port: 'notes' },
      ]),
    );
    const down = await getJson<Graph>(`/api/executions/${encodeURIComponent(id('fit'))}/lineage?direction=downstream&depth=1`);
    expect(down.body.nodes.map((n) => n.id).sort()).toEqual([id('fit'), id('fit', 'model'), id('fit', 'notes'), id('score'), id('score', 'metrics')].sort());
    const missing = await getJson<{ status: number; errors: { path: string }[] }>('/api/executions/nope/lineage');
    expect(missing.status).toBe(404);
    expect(missing.body.errors.map((e) => e.path)).toContain('/params/executionId');
    expect((await getJson(`/api/executions/${encodeURIComponent(id('fit'))}/lineage?depth=-1`)).status).toBe(400);
  });

  it("adds neighbour counts and the run's name to a run's graph", async () => {
    const { body } = await getJson<Graph>(`/api/runs/${run.id}/lineage`);
    expect(body.nodes).toHaveLength(7); // 3 executions + dataset, model, notes, metrics
    expect(body.runs.map((r) => r.pipelineName)).toEqual(['explorer-chain']);
    expect(body.neighbours.find((n) => n.id === id('load', 'dataset'))).toMatchObject({ upstream: 1, downstream: 2 });
  });

  describe('with runs that reused cached results', () => {
    let first: RunRecord;
    const later: RunRecord[] = [];
    const rid = (r: RunRecord, task: string, port?: string): string => `${r.id}.${task}${port !== undefined ? `.${port}` : ''}`;
    beforeAll(async () => {
      first = await stack.run(reusable);
      for (let i = 0; i < 2; i++) later.push(await stack.run(reusable));
      expect([first, ...later].map((r) => r.status)).toEqual(['succeeded', 'succeeded', 'succeeded']);
    });

    it("folds them into the model's lineage: one producer, reuse counted, the same graph as after one run", async () => {
      const model = rid(first, 'fit', 'model');
      const { body } = await getJson<Graph>(`/api/artifacts/${encodeURIComponent(model)}/lineage?direction=both&depth=10`);
      expect(body.nodes.map((n) => n.id).sort()).toEqual([rid(first, 'fit'), model, rid(first, 'load'), rid(first, 'load', 'dataset')].sort());
      expect(body.edges.filter((e) => e.to === model)).toEqual([{ from: rid(first, 'fit'), to: model, kind: 'output', port: 'model' }]);
      expect(body.nodes.find((n) => n.id === rid(first, 'fit'))?.reusedBy).toEqual({ executions: 2, runs: 2 });
      const counts = new Map(body.neighbours.map((n) => [n.id, n]));
      expect(counts.get(model)).toEqual({ id: model, upstream: 1, downstream: 0, reusedBy: { executions: 2, runs: 2 } });
      expect(counts.get(rid(first, 'fit'))).toMatchObject({ upstream: 1, downstream: 1, reusedBy: { executions: 2, runs: 2 } });
    });

    it('expands a fold: the cached executions that reused an execution or an artifact', async () => {
      const { status, body } = await getJson<Graph>(`/api/executions/${encodeURIComponent(rid(first, 'fit'))}/reuse`);
      expect(status).toBe(200);
      expect(body.root).toBe(rid(first, 'fit'));
      // …with the model they handed out, so the reuse edges come along.
      expect(body.nodes.map((n) => [n.id, n.depth, n.execution?.status, n.execution?.cachedFrom])).toEqual([
        [rid(first, 'fit'), 0, 'succeeded', null],
        ...later.map((r) => [rid(r, 'fit'), 1, 'cached', rid(first, 'fit')]),
        [rid(first, 'fit', 'model'), 1, undefined, undefined],
      ]);
      expect(body.edges.map((e) => `${e.from}>${e.to}:${e.kind}`).sort()).toEqual(
        [`${rid(first, 'fit')}>${rid(first, 'fit', 'model')}:output`, ...later.map((r) => `${rid(r, 'fit')}>${rid(first, 'fit', 'model')}:reused`)].sort(),
      );
      expect(body.truncated).toBe(false);
      expect(body.runs.map((r) => r.id).sort()).toEqual([first, ...later].map((r) => r.id).sort());
      const one = await getJson<Graph>(`/api/executions/${encodeURIComponent(rid(first, 'fit'))}/reuse?limit=1`);
      expect(one.body.nodes.filter((n) => n.kind === 'execution')).toHaveLength(2);
      expect(one.body.truncated).toBe(true);

      const model = rid(first, 'fit', 'model');
      const byArtifact = await getJson<Graph>(`/api/artifacts/${encodeURIComponent(model)}/reuse`);
      expect(byArtifact.body.nodes.map((n) => n.id)).toEqual([model, ...later.map((r) => rid(r, 'fit'))]);
      // Edges come sorted by their ends (random run ids here), not by time.
      expect(byArtifact.body.edges).toEqual(expect.arrayContaining(later.map((r) => ({ from: rid(r, 'fit'), to: model, kind: 'reused', port: 'model' }))));
      expect(byArtifact.body.edges).toHaveLength(later.length);

      expect((await getJson(`/api/executions/nope/reuse`)).status).toBe(404);
      expect((await getJson(`/api/artifacts/nope/reuse`)).status).toBe(404);
      expect((await getJson(`/api/executions/${encodeURIComponent(rid(first, 'fit'))}/reuse?limit=0`)).status).toBe(400);
    });

    it("shows a cached run's steps with reuse edges to the original artifacts, whose producers are one hop away", async () => {
      const run = later[1] as RunRecord;
      const { body } = await getJson<Graph>(`/api/runs/${run.id}/lineage`);
      expect(body.nodes.map((n) => n.id).sort()).toEqual([rid(run, 'fit'), rid(run, 'load'), rid(first, 'fit', 'model'), rid(first, 'load', 'dataset')].sort());
      expect(body.edges.map((e) => `${e.from}>${e.to}:${e.kind}`).sort()).toEqual(
        [
          `${rid(first, 'load', 'dataset')}>${rid(run, 'fit')}:input`,
          `${rid(run, 'fit')}>${rid(first, 'fit', 'model')}:reused`,
          `${rid(run, 'load')}>${rid(first, 'load', 'dataset')}:reused`,
        ].sort(),
      );
      const counts = new Map(body.neighbours.map((n) => [n.id, n]));
      // The original producer is not in the run's graph: one hop upstream of the artifact.
      expect(counts.get(rid(first, 'fit', 'model'))).toMatchObject({ upstream: 1, reusedBy: { executions: 2, runs: 2 } });
      expect(counts.get(rid(run, 'fit'))).toMatchObject({ upstream: 1, downstream: 1, reusedBy: { executions: 0, runs: 0 } });
      const up = await getJson<Graph>(`/api/artifacts/${encodeURIComponent(rid(first, 'fit', 'model'))}/lineage?direction=upstream&depth=1`);
      expect(up.body.edges.filter((e) => e.kind === 'output').map((e) => e.from)).toEqual([rid(first, 'fit')]);

      const artifact = await getJson<{ producedBy: { executionId: string }[]; reusedBy: { executionId: string }[] }>(`/api/artifacts/${encodeURIComponent(rid(first, 'fit', 'model'))}`);
      expect(artifact.body.producedBy.map((r) => r.executionId)).toEqual([rid(first, 'fit')]);
      expect(artifact.body.reusedBy.map((r) => r.executionId)).toEqual(later.map((r) => rid(r, 'fit')));
      const shown = await getJson<{ artifacts: { id: string; reused: boolean }[] }>(`/api/runs/${run.id}`);
      expect(shown.body.artifacts.map((a) => [a.id, a.reused])).toEqual([
        [rid(first, 'load', 'dataset'), true],
        [rid(first, 'fit', 'model'), true],
      ]);
    });
  });

  it('previews a Dataset with its schema (column types and target)', async () => {
    const { body } = await getJson<{ preview: unknown }>(`/api/artifacts/${encodeURIComponent(id('load', 'dataset'))}/preview?rows=2`);
    expect(body.preview).toEqual({
      kind: 'table',
      format: 'dataset',
      columns: ['x', 'label'],
      columnTypes: ['number', 'string'],
      target: 'label',
      rows: [[1, 'a'], [2, 'b']],
      totalRows: 3,
      truncated: true,
    });
  });

  it('lists runs with task counts, and streams them', async () => {
    const plain = await getJson<{ runs: Record<string, unknown>[] }>('/api/runs?pipeline=explorer-chain');
    expect(plain.body.runs[0]).not.toHaveProperty('taskCounts');
    const { body } = await getJson<{ runs: { id: string; taskCounts: Record<string, number> }[] }>('/api/runs?pipeline=explorer-chain&taskCounts=true');
    expect(body.runs).toEqual([expect.objectContaining({ id: run.id, taskCounts: { succeeded: 3 } })]);
    expect((await getJson('/api/runs?taskCounts=yes')).status).toBe(400);

    const stream = await openEventStream(`${server.url}/api/runs/events?taskCounts=true&trigger=api`);
    const snapshot = await stream.next((e) => e.event === 'snapshot');
    stream.close();
    expect((snapshot.data as { runs: { id: string; taskCounts: Record<string, number> }[] }).runs).toEqual([expect.objectContaining({ id: run.id, taskCounts: { succeeded: 3 } })]);
    const other = await openEventStream(`${server.url}/api/runs/events?trigger=schedule`);
    const none = await other.next((e) => e.event === 'snapshot');
    other.close();
    expect(none.data).toEqual({ runs: [] });
  });

  it('downloads an artifact with the token as a query parameter (a download link), and refuses without one', async () => {
    const { token } = await createApiToken(stack.stack.metadata, { name: 'explorer-viewer', role: 'viewer' });
    const path = `/api/artifacts/${encodeURIComponent(id('fit', 'notes'))}/content`;
    expect((await fetch(secured.url + path)).status).toBe(401);
    const res = await fetch(`${secured.url}${path}?access_token=${encodeURIComponent(token)}`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('# fitted\n');
  });
});
