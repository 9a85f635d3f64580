/**
 * Model rollouts end to end on a real Temporal dev server, PGlite and a real model server under
 * load: a healthy candidate passes every step's gates (read from the model server's own /metrics)
 * and is promoted (champion moved, an alias history row naming the rollout); a candidate whose
 * ONNX artifact is corrupt (every request to it fails in the server) is rolled back at its first
 * step with the figures recorded; shutting the workers down mid-rollout loses nothing (new workers
 * replays the workflow and finishes it). Through the API: a shadow rollout answers with champion,
 * logs the candidate's agreement, refuses a second rollout, and is promoted by hand.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { NativeConnection } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, createApiClient } from '../../engine/contract/index';
import { createLogger } from '../../engine/logging';
import { DEFAULT_ROLLOUT_PLAN, readRollouts, startRollout } from '../../engine/runs/index';
import { startModelServer, type RunningModelServer } from '../../engine/serving/index';
import { MODEL_SERVER_URL_ENV } from '../../engine/temporal/activities/index';
import { startWorkers } from '../../engine/temporal/worker/index';
import type { modelRollout } from '../../engine/temporal/workflows/index';
import { rolloutWorkflowId, type RolloutPlan } from '../../engine/temporal/workflows/types';
import { constantIrisModel, IRIS_INFER_BODY as body, registerModelBytes, startInferenceLoad } from '../support/servedModels';
import { startTestApi } from '../support/apiServer';
import { startTestStack, type TestStack } from '../support/stackHarness';

/** Short windows; the latency gate is loose (a loaded 2-core machine), the error gate is what these tests exercise. */
const plan = (steps: number[]): RolloutPlan => ({ ...DEFAULT_ROLLOUT_PLAN, mode: 'canary', steps, intervalMs: 1500, maxErrorRate: 0.01, maxP99Ms: 2500, minRequests: 5, maxHolds: 10 });

describe('model rollouts (durable workflow, gates from the model server)', () => {
  let ts: TestStack;
  let server: RunningModelServer;
  let dir: string;
  let n = 0;
  let load: ReturnType<typeof startInferenceLoad> | undefined;

  const register = (bytes: Uint8Array | string): Promise<number> =>
    registerModelBytes({ metadata: ts.stack.metadata, artifacts: ts.stack.artifacts, dir, model: 'iris', bytes, artifactId: `rollout-test-${++n}` });

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'sluice-rollout-'));
    ts = await startTestStack('pglite');
    server = await startModelServer({ source: ts.stack.metadata, artifacts: ts.stack.artifacts, logger: createLogger({ level: 'silent' }), port: 0, pollMs: 100 });
    process.env[MODEL_SERVER_URL_ENV] = server.url;
    expect(await register(constantIrisModel(0))).toBe(1);
    expect(await register(constantIrisModel(2))).toBe(2);
    await ts.stack.metadata.moveModelAlias({ model: 'iris', alias: 'champion', version: 1, actor: 'test', note: 'first' });
    await ts.stack.metadata.moveModelAlias({ model: 'iris', alias: 'challenger', version: 2, actor: 'test', note: 'trained' });
    load = startInferenceLoad(server.url, 'iris');
  });

  afterAll(async () => {
    await load?.stop();
    delete process.env[MODEL_SERVER_URL_ENV];
    await server?.close();
    await ts?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const result = (id: string) => ts.stack.client.workflow.getHandle<typeof modelRollout>(rolloutWorkflowId(id)).result();

  it('promotes a healthy candidate after every step passed: champion moves, the alias history names the rollout', async () => {
    const rollout = await startRollout({ client: ts.stack.client, metadata: ts.stack.metadata, taskQueuePrefix: ts.stack.taskQueuePrefix, model: 'iris', to: 'challenger', plan: plan([50, 100]), actor: 'alice' });
    expect(rollout).toMatchObject({ baselineVersion: 1, candidateVersion: 2, state: 'running' });
    expect(await result(rollout.id)).toMatchObject({ state: 'promoted' });
    expect((await ts.stack.metadata.getRegisteredModel('iris'))?.aliases.champion).toBe(2);
    const last = (await ts.stack.metadata.listModelAliasEvents('iris', { alias: 'champion' })).at(-1);
    expect(last).toMatchObject({ fromVersion: 1, toVersion: 2, actor: 'alice', note: expect.stringContaining(`rollout ${rollout.id}`) as string });
    const [report] = await readRollouts(ts.stack.metadata, 'iris');
    expect(report?.rollout).toMatchObject({ id: rollout.id, state: 'promoted', step: 1, weight: 100 });
    const actions = report!.decisions.map((d) => `${d.action}@${d.weight}`).filter((a) => !a.startsWith('hold'));
    expect(actions).toEqual(['weight@50', 'pass@50', 'weight@100', 'pass@100', 'promote@100']);
    const passed = report!.decisions.find((d) => d.action === 'pass')!;
    expect(passed.figures).toMatchObject({ errors: 0, errorRate: 0, maxErrorRate: 0.01 });
    expect(passed.figures.requests).toBeGreaterThanOrEqual(5);
    // Its activities time out after 15 s (patch rollout-activity-timeout-15s), not a minute: a hung gate read is retried quickly.
    const history = await ts.stack.client.workflow.getHandle(rolloutWorkflowId(rollout.id)).fetchHistory();
    const timeouts = (history.events ?? []).flatMap((e) => (e.activityTaskScheduledEventAttributes ? [Number(e.activityTaskScheduledEventAttributes.startToCloseTimeout?.seconds ?? 0)] : []));
    expect(timeouts.length).toBeGreaterThan(0);
    expect(new Set(timeouts)).toEqual(new Set([15]));
  });

  it('rolls a candidate that fails in the server back at its first step, with the figures, and leaves champion alone', async () => {
    const broken = await register('not an ONNX model: the server answers 503 for every request to it');
    const rollout = await startRollout({ client: ts.stack.client, metadata: ts.stack.metadata, taskQueuePrefix: ts.stack.taskQueuePrefix, model: 'iris', to: String(broken), plan: plan([20, 100]), actor: 'alice' });
    expect(rollout).toMatchObject({ baselineVersion: 2, candidateVersion: broken });
    const end = await result(rollout.id);
    expect(end.state).toBe('rolled-back');
    expect(end.reason).toMatch(/^error rate 100% \(\d+ of \d+\) > 1%$/);
    expect((await ts.stack.metadata.getRegisteredModel('iris'))?.aliases.champion).toBe(2);
    const [report] = await readRollouts(ts.stack.metadata, 'iris');
    expect(report?.rollout).toMatchObject({ id: rollout.id, state: 'rolled-back', weight: 0, reason: end.reason });
    const rollback = report!.decisions.at(-1)!;
    expect(rollback).toMatchObject({ action: 'rollback', step: 0, weight: 0, reason: end.reason, figures: { errorRate: 1, maxErrorRate: 0.01 } });
    expect(report!.decisions.some((d) => d.action === 'pass')).toBe(false);
    // The split is gone from the server: everything goes to champion again.
    for (let i = 0; i < 100; i++) {
      const res = await fetch(`${server.url}/v2/models/iris/infer`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      if (res.headers.get('x-sluice-rollout') === null && res.status === 200) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const res = await fetch(`${server.url}/v2/models/iris/infer`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect([res.status, res.headers.get('x-sluice-model-version')]).toEqual([200, '2']);
  });

  it('through the API: a shadow rollout logs agreement, refuses a second rollout, and promote moves champion', async () => {
    const api = await startTestApi(ts);
    try {
      const client = createApiClient({ baseUrl: api.url });
      const champion = (await ts.stack.metadata.getRegisteredModel('iris'))!.aliases.champion!;
      const twin = await register(constantIrisModel(2)); // answers as champion (v2, class 2) does: agreement
      // The route key header (--key): a header name, and only for modes that split.
      await expect(client.startModelRollout({ params: { model: 'iris' }, body: { to: String(twin), mode: 'ab', routeKeyHeader: 'user id' } })).rejects.toMatchObject({ status: 400 });
      const keyedShadow = client.startModelRollout({ params: { model: 'iris' }, body: { to: String(twin), mode: 'shadow', routeKeyHeader: 'x-user-id' } });
      await expect(keyedShadow).rejects.toMatchObject({ status: 422, message: expect.stringContaining('takes no route key header') as string });
      const { rollout } = await client.startModelRollout({ params: { model: 'iris' }, body: { to: String(twin), mode: 'shadow', intervalMs: 1000 } });
      expect(rollout).toMatchObject({ mode: 'shadow', baselineVersion: champion, candidateVersion: twin, state: 'running' });
      const second = await client.startModelRollout({ params: { model: 'iris' }, body: { to: String(twin) } }).catch((e: unknown) => e);
      expect(second).toBeInstanceOf(ApiError);
      expect((second as ApiError).status).toBe(409);
      await expect(client.endModelRollout({ params: { model: 'nope' }, body: { action: 'abort', reason: 'x' } })).rejects.toMatchObject({ status: 404 });
      // Wait for a logged window with mirrored requests, all agreeing.
      let observed: Record<string, unknown> | undefined;
      for (let i = 0; i < 300 && !observed; i++) {
        const { rollouts } = await client.listModelRollouts({ params: { model: 'iris' } });
        observed = rollouts[0]?.decisions.find((d) => d.action === 'observe' && Number(d.figures.mirrored) > 0)?.figures;
        if (!observed) await new Promise((r) => setTimeout(r, 100));
      }
      expect(observed).toMatchObject({ agreement: 1, disagree: 0, mirrorErrors: 0 });
      await client.endModelRollout({ params: { model: 'iris' }, body: { action: 'promote', reason: 'agrees with champion' } });
      expect(await result(rollout.id)).toMatchObject({ state: 'promoted' });
      expect((await ts.stack.metadata.getRegisteredModel('iris'))?.aliases.champion).toBe(twin);
      const { rollouts } = await client.listModelRollouts({ params: { model: 'iris' } });
      expect(rollouts[0]?.rollout).toMatchObject({ id: rollout.id, state: 'promoted' });
      expect(rollouts[0]?.decisions.at(-1)).toMatchObject({ action: 'promote', reason: expect.stringContaining('agrees with champion') as string });
      // An A/B split keyed by the client's own header: the plan carries it (lowercased) to the model server.
      const { rollout: ab } = await client.startModelRollout({ params: { model: 'iris' }, body: { to: String(champion), mode: 'ab', split: 30, routeKeyHeader: 'X-User-Id' } });
      expect(ab.plan).toMatchObject({ mode: 'ab', split: 30, routeKeyHeader: 'x-user-id' });
      await client.endModelRollout({ params: { model: 'iris' }, body: { action: 'abort', reason: 'test over' } });
      expect(await result(ab.id)).toMatchObject({ state: 'aborted' });
    } finally {
      await api.close();
    }
  });

  it('survives its workers being shut down mid-rollout (activities cancelled, no worker left): new workers finish it', async () => {
    const v = await register(constantIrisModel(1));
    const rollout = await startRollout({ client: ts.stack.client, metadata: ts.stack.metadata, taskQueuePrefix: ts.stack.taskQueuePrefix, model: 'iris', to: String(v), plan: plan([10, 30, 100]), actor: 'alice' });
    // Wait until the first step passed, then take the stack's workers down.
    for (let i = 0; i < 600 && !(await ts.stack.metadata.listRolloutDecisions(rollout.id)).some((d) => d.action === 'pass'); i++) await new Promise((r) => setTimeout(r, 100));
    await ts.stack.workers.shutdown();
    const connection = await NativeConnection.connect({ address: ts.stack.temporalAddress });
    const workers = await startWorkers({
      connection,
      taskQueuePrefix: ts.stack.taskQueuePrefix,
      resourceClasses: [],
      metadata: ts.stack.metadata,
      artifacts: ts.stack.artifacts,
      registry: ts.stack.registry,
      workRoot: path.join(dir, 'work'),
      logger: createLogger({ level: 'silent' }),
    });
    try {
      expect(await result(rollout.id)).toMatchObject({ state: 'promoted' });
      const decisions = await ts.stack.metadata.listRolloutDecisions(rollout.id);
      expect(decisions.filter((d) => d.action !== 'hold').map((d) => `${d.action}@${d.weight}`)).toEqual(['weight@10', 'pass@10', 'weight@30', 'pass@30', 'weight@100', 'pass@100', 'promote@100']);
      expect((await ts.stack.metadata.getRegisteredModel('iris'))?.aliases.champion).toBe(v);
    } finally {
      await workers.shutdown();
      await connection.close();
    }
  });
});
