/**
 * examples/continuous-training.ts end to end on a real stack (Temporal, PGlite, local artifact
 * store) with a real model server: the iris example's model is promoted to champion and served;
 * requests are logged by the server as a Dataset; shifted requests are flagged by the drift check
 * and lead to retraining, evaluation against the served champion and a new `challenger` version;
 * unshifted requests lead to no retraining. The new version's canary rollout is started through a
 * real API server (the rollout workflow's own gates are tested in test/engine/rollout.test.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as components from '../../components/index';
import { compile } from '../../dsl/index';
import { createTrigger, deleteTrigger } from '../../engine/automation/triggers/index';
import { createLogger } from '../../engine/logging';
import { createApiClient } from '../../engine/contract/index';
import type { RunningApiServer } from '../../engine/server/index';
import { startModelServer, type RunningModelServer } from '../../engine/serving/index';
import continuousTraining from '../../examples/continuous-training';
import iris from '../../examples/iris';
import { startTestApi } from '../support/apiServer';
import { startTestStack, type TestStack } from '../support/stackHarness';

const raw = components.irisDataset();

describe('examples/continuous-training.ts', () => {
  let ts: TestStack;
  let server: RunningModelServer;
  let api: RunningApiServer;

  beforeAll(async () => {
    // The workers know the loop's components (its trigger starts it, not ts.run).
    ts = await startTestStack('pglite', [components, { continuousTraining }]);
    const trained = await ts.run(iris, { epochs: 100 });
    expect(trained.status).toBe('succeeded');
    await ts.stack.metadata.moveModelAlias({ model: 'iris', alias: 'champion', version: 1, actor: 'test', note: 'promote the first model' });
    server = await startModelServer({
      source: ts.stack.metadata,
      artifacts: ts.stack.artifacts,
      logger: createLogger({ level: 'silent' }),
      port: 0,
      requestLog: { records: ts.stack.metadata, sampleRate: 1, maxRows: 100_000, flushMs: 3_600_000 },
    });
    // What sluice dev tells its workers: where the rollout workflow reads its gates.
    process.env.SLUICE_MODEL_SERVER_URL = server.url;
    api = await startTestApi(ts);
  });
  afterAll(async () => {
    delete process.env.SLUICE_MODEL_SERVER_URL;
    await api?.close();
    await server?.close();
    await ts?.stop();
  });

  /** Sends the iris rows (shifted or not) to iris@champion in requests of 30, then writes the log; the logged Dataset's id. */
  async function serve(shift: (row: number[]) => number[]): Promise<string> {
    const rows = raw.rows.map((r) => shift(r.slice(0, 4) as number[]));
    for (let i = 0; i < rows.length; i += 30) {
      const chunk = rows.slice(i, i + 30);
      const res = await fetch(`${server.url}/v2/models/iris@champion/infer`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ inputs: [{ name: 'features', shape: [chunk.length, 4], datatype: 'FP32', data: chunk.flat() }] }),
      });
      expect(res.status).toBe(200);
      await res.arrayBuffer();
    }
    await server.requestLog!.flush();
    const logged = await ts.stack.metadata.listArtifacts({ type: 'Dataset', name: 'iris.requests' });
    const last = logged[logged.length - 1]!;
    // One window of version 1 holding every request (a split would log the shares apart).
    expect(last.properties).toMatchObject({ version: 1 });
    expect(Number(last.properties.rows)).toBeGreaterThanOrEqual(rows.length);
    return last.id;
  }

  it('serves raw measurements correctly: the champion classifies the raw setosa rows as setosa', async () => {
    const res = await fetch(`${server.url}/v2/models/iris@champion/infer`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ inputs: [{ name: 'features', shape: [1, 4], datatype: 'FP32', data: [5.1, 3.5, 1.4, 0.2] }], outputs: [{ name: 'label' }] }),
    });
    expect(((await res.json()) as { outputs: Array<{ data: number[] }> }).outputs[0]!.data).toEqual([0]);
  });

  it('on shifted requests: an artifact trigger on the logged Dataset starts the loop, which flags drift, retrains, compares with the served champion and registers a challenger', async () => {
    const deps = { client: ts.stack.client, metadata: ts.stack.metadata, taskQueuePrefix: ts.stack.taskQueuePrefix };
    await createTrigger(deps, {
      kind: 'artifact',
      id: 'iris-drift',
      spec: compile(continuousTraining).spec,
      input: 'served',
      match: { type: 'Dataset', name: 'iris.requests' },
      params: { modelServer: server.url, sluiceUrl: api.url, epochs: 150 },
      pollMs: 300,
    });
    let run;
    let served;
    try {
      served = await serve(([a, b, c, d]) => [a!, b!, c! + 2.5, d! + 1]);
      for (const until = Date.now() + 300_000; ; ) {
        run = (await ts.stack.metadata.listRuns({ limit: 50 })).find((r) => r.trigger.triggerId === 'iris-drift' && ['succeeded', 'failed', 'cancelled'].includes(r.status));
        if (run || Date.now() > until) break;
        await new Promise((r) => setTimeout(r, 500));
      }
    } finally {
      await deleteTrigger(ts.stack.client, 'iris-drift');
    }
    expect(run?.error ?? null).toBeNull();
    expect(run?.params).toMatchObject({ served });
    expect(run?.outputs).toMatchObject({ driftPassed: false, driftedFeatures: expect.arrayContaining(['petal_length', 'petal_width']) as string[], challengerVersion: 2 });
    const execs = await ts.stack.metadata.listExecutions(run?.id ?? '');
    const compared = execs.find((e) => e.taskId === 'compare-with-champion');
    expect(compared?.outputParams).toMatchObject({ better: true });
    expect(compared?.outputParams?.championAccuracy).toBeGreaterThan(0.8);
    const model = await ts.stack.metadata.getRegisteredModel('iris');
    expect(model?.aliases).toMatchObject({ champion: 1, challenger: 2 });
    // The challenger's canary rollout runs against champion (ended here: its gates are another test's).
    const client = createApiClient({ baseUrl: api.url });
    const { rollouts } = await client.listModelRollouts({ params: { model: 'iris' } });
    expect(rollouts[0]?.rollout).toMatchObject({ id: (run?.outputs as { rollout: string }).rollout, mode: 'canary', baselineVersion: 1, candidateVersion: 2, state: 'running' });
    await client.endModelRollout({ params: { model: 'iris' }, body: { action: 'abort', reason: 'test over' } });
    // Until the server has seen the abort it still splits requests to iris, and logs the candidate's
    // share as a Dataset of its own: the next test must find every request on version 1.
    for (const until = Date.now() + 60_000; ; ) {
      const meta = await (await fetch(`${server.url}/v2/models/iris`)).text();
      if (!meta.includes('candidate_version')) break;
      if (Date.now() > until) throw new Error(`the model server still splits iris after the abort: ${meta}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    // The logged requests are in the lineage: the drift check read them.
    const down = await ts.stack.metadata.lineage(served, { direction: 'downstream', depth: 1 });
    expect(down.nodes.map((n) => n.execution?.componentName)).toContain('drift-check');
  });

  it('on unshifted requests: no drift, no retraining, no new version', async () => {
    const served = await serve((r) => r);
    const run = await ts.run(continuousTraining, { served, modelServer: server.url });
    expect(run.status).toBe('succeeded');
    expect(run.outputs).toMatchObject({ driftPassed: true, driftedFeatures: [] });
    const ran = (await ts.stack.metadata.listExecutions(run.id)).filter((e) => e.status === 'succeeded').map((e) => e.taskId);
    expect(ran).not.toContain('train-classifier');
    expect((await ts.stack.metadata.listModelVersions('iris')).map((v) => v.version).sort()).toEqual([1, 2]);
  });
});
