/**
 * MLflow compatibility: the real `mlflow` Python client (mlflow-skinny from PyPI, in the virtualenv
 * scripts/ensure-mlflow.sh creates) against the live server with auth on, its token in
 * MLFLOW_TRACKING_TOKEN: params, metrics with steps, a tag, artifacts both ways, search with a
 * filter (test/api/mlflow/client_roundtrip.py). Then what it logged, seen through Sluice's own API,
 * and the MLflow paths' answers to bad input: MLflow's `{ error_code, message }`, nothing written.
 * Skipped, saying why, only where python3 or its venv module is missing.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { command, pipeline } from 'sluice/dsl';
import { projectRoot } from '../../engine/paths';
import { createApiToken, type RunningApiServer } from '../../engine/server/index';
import { startTestApi } from '../support/apiServer';
import { ensureVenvPython, runPython } from '../support/pythonVenv';
import { startTestStack, type TestStack } from '../support/stackHarness';


const mlflow = ensureVenvPython('ensure-mlflow.sh');
if (mlflow.reason) console.warn(`skipping the MLflow client tests: ${mlflow.reason}`);


describe.skipIf(!mlflow.python)('the MLflow tracking API, driven by the mlflow Python client', () => {
  let ts: TestStack;
  let server: RunningApiServer;
  let editor: string;
  let viewer: string;
  const call = async (method: string, route: string, token: string | undefined, body?: unknown) => {
    const res = await fetch(`${server.url}${route}`, {
      method,
      headers: { ...(token ? { Authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  };
  const mlflowPost = (route: string, body: unknown, token: string | undefined = editor) => call('POST', `/mlflow/api/2.0/mlflow/${route}`, token, body);

  beforeAll(async () => {
    // The stack's workers point command components at this server once it listens.
    ts = await startTestStack('pglite', [], { mlflowTracking: () => (server ? { uri: `${server.url}/mlflow`, token: editor } : undefined) });
    server = await startTestApi(ts, { auth: { enabled: true } });
    editor = (await createApiToken(ts.stack.metadata, { name: 'mlflow-editor', role: 'editor' })).token;
    viewer = (await createApiToken(ts.stack.metadata, { name: 'mlflow-viewer', role: 'viewer' })).token;
  });
  afterAll(async () => {
    await server?.close();
    await ts?.stop();
  });

  it('logs params, stepped metrics, a tag and artifacts, and finds the run by a filter; the run is a Sluice run of its experiment', async () => {
    const script = path.join(projectRoot, 'test', 'api', 'mlflow', 'client_roundtrip.py');
    const r = await runPython(mlflow.python as string, [script, 'mlflow-client-e2e'], {
      MLFLOW_TRACKING_URI: `${server.url}/mlflow`,
      MLFLOW_TRACKING_TOKEN: editor,
      MLFLOW_ENABLE_ASYNC_LOGGING: 'false',
      GIT_PYTHON_REFRESH: 'quiet',
    });
    expect(r.code, `the client script failed:\n${r.stderr}\n${r.stdout}`).toBe(0);
    const ids = JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '{}') as { experiment_id: string; vision: string; audio: string };

    // Through Sluice's own API: a run of pipeline "mlflow" in the experiment, its metrics by step.
    const experiment = await call('GET', `/api/experiments/${ids.experiment_id}`, viewer);
    expect(experiment.status).toBe(200);
    const runs = experiment.body.runs as { id: string; pipelineName: string; status: string; params: Record<string, unknown> }[];
    expect(runs.map((x) => x.id).sort()).toEqual([ids.vision, ids.audio].sort());
    const vision = runs.find((x) => x.id === ids.vision);
    expect(vision).toMatchObject({ pipelineName: 'mlflow', status: 'succeeded', params: { epochs: '40', lr: '0.01' } });
    const metrics = await call('GET', `/api/runs/${ids.vision}/metrics`, viewer);
    expect(metrics.status).toBe(200);
    const accuracy = (metrics.body.metrics as { key: string; step: number; value: number }[]).filter((m) => m.key === 'accuracy');
    expect(accuracy.map((m) => m.step)).toEqual([0, 1, 2]);
    const tags = await ts.stack.metadata.listTags([ids.vision]);
    expect(tags.get(ids.vision)).toContainEqual({ key: 'team', value: 'vision' });
  }, 180_000);

  it('a command component\'s mlflow client logs into its own task, with no configuration of its own', async () => {
    const task = command({
      name: 'logs-with-mlflow',
      command: () => [mlflow.python as string, 'test/api/mlflow/log_in_task.py'],
      env: { MLFLOW_ENABLE_ASYNC_LOGGING: 'false', GIT_PYTHON_REFRESH: 'quiet' },
      cache: false,
    });
    const p = pipeline({ name: 'mlflow-in-task' }, (b) => {
      b.task(task, {}, { id: 'track' });
    });
    const run = await ts.run(p);
    expect(run.status, JSON.stringify(run)).toBe('succeeded');
    const metrics = await call('GET', `/api/runs/${run.id}/metrics`, viewer);
    const loss = (metrics.body.metrics as { key: string; step: number; value: number; taskId: string }[]).filter((m) => m.key === 'loss');
    expect(loss.map((m) => [m.taskId, m.step, m.value])).toEqual([
      ['track', 0, 0.9],
      ['track', 1, 0.5],
      ['track', 2, 0.3],
    ]);
    const execution = await ts.stack.metadata.getExecution(`${run.id}.track`);
    expect(execution?.params).toMatchObject({ optimizer: 'adam' });
    // The workflow still owns the run's status: the client's end of its run changed nothing.
    expect((await call('GET', `/api/runs/${run.id}`, viewer)).body.run).toMatchObject({ status: 'succeeded' });
  }, 180_000);

  it("shows an experiment archived in Sluice as MLflow's deleted one: get marks it, search lists it only when asked", async () => {
    const exp = await mlflowPost('experiments/create', { name: 'mlflow-archived' });
    const experimentId = exp.body.experiment_id as string;
    const stage = async (): Promise<unknown> => ((await call('GET', `/mlflow/api/2.0/mlflow/experiments/get?experiment_id=${experimentId}`, viewer)).body.experiment as { lifecycle_stage: string }).lifecycle_stage;
    const searched = async (viewType?: string): Promise<string[]> => {
      const r = await mlflowPost('experiments/search', { max_results: 1000, ...(viewType ? { view_type: viewType } : {}) }, viewer);
      expect(r.status).toBe(200);
      return ((r.body.experiments ?? []) as { name: string }[]).map((e) => e.name);
    };
    expect(await stage()).toBe('active');
    expect(await searched()).toContain('mlflow-archived');

    // Archived through Sluice's own API.
    expect((await call('PATCH', `/api/experiments/${experimentId}`, editor, { archived: true })).status).toBe(200);
    expect(await stage()).toBe('deleted');
    expect(await searched()).not.toContain('mlflow-archived');
    expect(await searched('ACTIVE_ONLY')).not.toContain('mlflow-archived');
    expect(await searched('DELETED_ONLY')).toEqual(['mlflow-archived']);
    expect(await searched('ALL')).toContain('mlflow-archived');
    const bad = await mlflowPost('experiments/search', { view_type: 'SOMETIMES' }, viewer);
    expect(bad.status).toBe(400);
    expect(bad.body.error_code).toBe('INVALID_PARAMETER_VALUE');

    // Restored, it is active again.
    expect((await call('PATCH', `/api/experiments/${experimentId}`, editor, { archived: false })).status).toBe(200);
    expect(await stage()).toBe('active');
  });

  it('answers bad input with MLflow-shaped 4xx errors and writes nothing', async () => {
    const exp = await mlflowPost('experiments/create', { name: 'mlflow-bad-input' });
    expect(exp.status).toBe(200);
    const experimentId = exp.body.experiment_id as string;
    const created = await mlflowPost('runs/create', { experiment_id: experimentId, run_name: 'r' });
    const runId = (created.body.run as { info: { run_id: string } }).info.run_id;

    // A missing field names it.
    const noExperiment = await mlflowPost('runs/create', { run_name: 'x' });
    expect(noExperiment.status).toBe(400);
    expect(noExperiment.body).toMatchObject({ error_code: 'INVALID_PARAMETER_VALUE' });
    expect(noExperiment.body.message).toContain('experiment_id');
    const noKey = await mlflowPost('runs/log-metric', { run_id: runId, value: 1 });
    expect(noKey.body.error_code).toBe('INVALID_PARAMETER_VALUE');
    expect(noKey.body.message).toContain('"key"');
    // An unknown experiment.
    const unknown = await mlflowPost('runs/create', { experiment_id: 'no-such-experiment' });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error_code).toBe('RESOURCE_DOES_NOT_EXIST');
    expect(unknown.body.message).toContain('no-such-experiment');
    // A malformed filter names the token.
    for (const [filter, token] of [
      ['metrics.accuracy >> 0.9', '>'],
      ["params.epochs = 40 or tags.team = 'x'", 'or'],
      ["status = 'exploded'", 'exploded'],
      ['metrics.accuracy > 0.9 and', 'end of the filter'],
      ["metrics.acc = 1; drop table runs; --", ';'],
    ]) {
      const bad = await mlflowPost('runs/search', { experiment_ids: [experimentId], filter }, viewer);
      expect(bad.status, filter).toBe(400);
      expect(bad.body.error_code).toBe('INVALID_PARAMETER_VALUE');
      expect(bad.body.message, filter).toContain(token);
    }
    // Malformed JSON.
    const malformed = await call('POST', '/mlflow/api/2.0/mlflow/runs/log-batch', editor, '{"run_id": ');
    expect(malformed.status).toBe(400);
    expect(malformed.body.error_code).toBe('BAD_REQUEST');
    // A batch whose param clashes writes none of its metrics.
    expect((await mlflowPost('runs/log-parameter', { run_id: runId, key: 'epochs', value: '40' })).status).toBe(200);
    const clash = await mlflowPost('runs/log-batch', { run_id: runId, metrics: [{ key: 'acc', value: 0.9, timestamp: 1, step: 0 }], params: [{ key: 'epochs', value: '41' }] });
    expect(clash.status).toBe(400);
    expect(clash.body.message).toContain('epochs');
    expect(await ts.stack.metadata.listMetrics({ runId })).toEqual([]);
    // Auth: no token, and a viewer's token on a write.
    const anonymous = await mlflowPost('runs/log-metric', { run_id: runId, key: 'acc', value: 1 }, '');
    expect(anonymous).toMatchObject({ status: 401, body: { error_code: 'UNAUTHENTICATED' } });
    const readOnly = await mlflowPost('runs/log-metric', { run_id: runId, key: 'acc', value: 1 }, viewer);
    expect(readOnly).toMatchObject({ status: 403, body: { error_code: 'PERMISSION_DENIED' } });
    expect(await ts.stack.metadata.listMetrics({ runId })).toEqual([]);
    // An unknown endpoint under the prefix.
    expect((await call('GET', '/mlflow/api/2.0/mlflow/nothing-here', viewer)).body.error_code).toBe('ENDPOINT_NOT_FOUND');
  });
});
