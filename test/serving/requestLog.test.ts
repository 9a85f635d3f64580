/**
 * Sampled request/prediction logging of the model server, with real parts: real HTTP, ONNX Runtime
 * sessions, a local artifact store and a PGlite metadata store. Logged requests become Dataset
 * artifacts (one per flush window per model version) whose columns carry the model's feature and
 * class names; a slow store holds at most `maxBufferedRows` and drops (and counts) the rest without
 * slowing a request; a failing store drops and counts; close writes what is buffered.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { readDataset } from '../../components/dataset';
import { createLogger } from '../../engine/logging';
import { createApiToken } from '../../engine/server/index';
import { oip, startModelServer, type RunningModelServer } from '../../engine/serving/index';
import type { ArtifactStore } from '../../engine/stores/artifacts/index';
import { constantIrisModel, servedRegistry, type ServedRegistry } from '../support/servedModels';

const ROWS = [
  [5.1, 3.5, 1.4, 0.2],
  [6.7, 3.0, 5.2, 2.3],
];
const body = (id: string) => JSON.stringify({ id, inputs: [{ name: 'features', shape: [2, 4], datatype: 'FP32', data: ROWS }] });

async function infer(url: string, model: string, id: string, headers: Record<string, string> = {}): Promise<number> {
  const res = await fetch(`${url}/v2/models/${model}/infer`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: body(id) });
  await res.arrayBuffer();
  return res.status;
}

const silent = createLogger({ level: 'silent' });

describe('sampled request logging', () => {
  let reg: ServedRegistry;
  let server: RunningModelServer | undefined;

  beforeEach(async () => {
    reg = await servedRegistry();
    await reg.register('iris', constantIrisModel(0));
    await reg.register('iris', constantIrisModel(2));
    await reg.move('iris', 'champion', 1);
  });
  afterEach(async () => {
    await server?.close();
    server = undefined;
    await reg.close();
  });

  const logged = () => reg.metadata.listArtifacts({ type: 'Dataset' });

  it('writes sampled requests as Dataset artifacts per model version, named after the model’s features and classes', async () => {
    server = await startModelServer({ source: reg.metadata, artifacts: reg.artifacts, logger: silent, port: 0, requestLog: { records: reg.metadata, sampleRate: 1, maxRows: 4, flushMs: 3_600_000 } });
    expect(await infer(server.url, 'iris@champion', 'a')).toBe(200);
    expect(await infer(server.url, 'iris', 'b')).toBe(200); // 4 rows: the window flushes
    expect(await infer(server.url, 'iris/versions/2', 'c')).toBe(200);
    await server.requestLog!.flush();
    const records = await logged();
    expect(records.map((r) => [r.name, r.properties.version, r.properties.rows, r.properties.requests])).toEqual([
      ['iris.requests', 1, 4, 2],
      ['iris.requests', 2, 2, 1],
    ]);
    expect(records[0]!.properties).toMatchObject({ source: 'model-server', model: 'iris', version: 1, sampleRate: 1 });
    const ds = await readDataset(await reg.artifacts.materialize(records[0]!.uri));
    expect(ds.columns.map((c) => c.name)).toEqual([
      'time', 'model', 'version', 'request_id', 'sepal_length', 'sepal_width', 'petal_length', 'petal_width', 'probabilities_setosa', 'probabilities_versicolor', 'probabilities_virginica', 'predicted_species',
    ]);
    // FP32 inputs are logged as the decimals the client wrote (the shortest that is the same float32).
    expect(ds.rows.map((r) => [r[1], r[2], r[3], r[4], r[7], r[11]])).toEqual([
      ['iris', 1, 'a', 5.1, 0.2, 'setosa'],
      ['iris', 1, 'a', 6.7, 2.3, 'setosa'],
      ['iris', 1, 'b', 5.1, 0.2, 'setosa'],
      ['iris', 1, 'b', 6.7, 2.3, 'setosa'],
    ]);
    const v2 = await readDataset(await reg.artifacts.materialize(records[1]!.uri));
    expect(v2.rows.map((r) => r[11])).toEqual(['virginica', 'virginica']);
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toMatch(/sluice_serving_request_log_rows_total\{model="iris",version="1"\} 4/);
  });

  it('logs about the configured share of requests, and nothing at rate 0', async () => {
    let n = 0;
    server = await startModelServer({
      source: reg.metadata,
      artifacts: reg.artifacts,
      logger: silent,
      port: 0,
      // Alternating draws: every other request is sampled at rate 0.5.
      requestLog: { records: reg.metadata, sampleRate: 0.5, maxRows: 1000, flushMs: 3_600_000, random: () => (n++ % 2 === 0 ? 0.25 : 0.75) },
    });
    for (let i = 0; i < 10; i++) expect(await infer(server.url, 'iris', `r${i}`)).toBe(200);
    await server.close();
    server = undefined;
    const [record] = await logged();
    expect(record!.properties).toMatchObject({ requests: 5, rows: 10, sampleRate: 0.5 }); // written on close
    const ds = await readDataset(await reg.artifacts.materialize(record!.uri));
    expect([...new Set(ds.rows.map((r) => r[3]))]).toEqual(['r0', 'r2', 'r4', 'r6', 'r8']);

    server = await startModelServer({ source: reg.metadata, artifacts: reg.artifacts, logger: silent, port: 0, requestLog: { records: reg.metadata, sampleRate: 0 } });
    expect(server.requestLog).toBeUndefined();
  });

  it('holds at most maxBufferedRows while the store is slow, drops and counts the rest, and never makes a request wait', async () => {
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    let puts = 0;
    const slow: ArtifactStore = Object.assign(Object.create(reg.artifacts) as ArtifactStore, {
      put: async (p: string) => {
        puts++;
        await gate;
        return reg.artifacts.put(p);
      },
    });
    server = await startModelServer({ source: reg.metadata, artifacts: slow, logger: silent, port: 0, requestLog: { records: reg.metadata, sampleRate: 1, maxRows: 2, maxBufferedRows: 4, flushMs: 3_600_000 } });
    try {
      // Every request is answered while the first write hangs.
      for (let i = 0; i < 6; i++) expect(await infer(server.url, 'iris', `r${i}`)).toBe(200);
      await vi.waitFor(() => expect(puts).toBe(1));
      expect(server.requestLog!.stats).toMatchObject({ sampled: 6, dropped: 8 });
      const metrics = await (await fetch(`${server.url}/metrics`)).text();
      expect(metrics).toMatch(/sluice_serving_request_log_dropped_total\{model="iris",version="1",reason="buffer_full"\} 8/);
    } finally {
      open();
    }
    await server.requestLog!.flush();
    expect(server.requestLog!.stats).toMatchObject({ written: 4, datasets: 2 });
    expect((await logged()).map((r) => r.properties.rows)).toEqual([2, 2]);
  });

  it('drops and counts the rows of a failed write; requests still succeed', async () => {
    const broken: ArtifactStore = Object.assign(Object.create(reg.artifacts) as ArtifactStore, {
      put: () => Promise.reject(new Error('the disk is full')),
    });
    server = await startModelServer({ source: reg.metadata, artifacts: broken, logger: silent, port: 0, requestLog: { records: reg.metadata, sampleRate: 1, maxRows: 2, flushMs: 3_600_000 } });
    expect(await infer(server.url, 'iris', 'x')).toBe(200);
    await server.requestLog!.flush();
    expect(server.requestLog!.stats).toMatchObject({ sampled: 1, dropped: 2, written: 0 });
    expect(await logged()).toEqual([]);
    expect(await (await fetch(`${server.url}/metrics`)).text()).toMatch(/reason="write_failed"\} 2/);
  });
});

describe('model server auth', () => {
  let reg: ServedRegistry;
  let server: RunningModelServer;

  beforeEach(async () => {
    reg = await servedRegistry();
    await reg.register('iris', constantIrisModel(0));
    server = await startModelServer({ source: reg.metadata, artifacts: reg.artifacts, logger: silent, port: 0, auth: { metadata: reg.metadata } });
  });
  afterEach(async () => {
    await server.close();
    await reg.close();
  });

  it('refuses inference and metadata without a valid token (401, KServe-shaped) and serves a valid one; health and metrics stay open', async () => {
    const none = await fetch(`${server.url}/v2/models/iris/infer`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: body('n') });
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(await none.json()).toEqual({ error: expect.stringMatching(/requires an API token.*sluice tokens create/) as string });
    const bad = await fetch(`${server.url}/v2/models/iris`, { headers: { authorization: 'Bearer sluice_000000000000_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' } });
    expect(bad.status).toBe(401);
    expect(((await bad.json()) as { error: string }).error).toMatch(/not valid/);
    expect((await fetch(`${server.url}/v2`)).status).toBe(401);

    const { token } = await createApiToken(reg.metadata, { name: 'client', role: 'viewer' });
    expect(await infer(server.url, 'iris', 'ok', { authorization: `Bearer ${token}` })).toBe(200);
    const meta = await fetch(`${server.url}/v2/models/iris`, { headers: { authorization: `Bearer ${token}` } });
    expect(oip.ModelMetadataResponse.parse(await meta.json()).name).toBe('iris');

    expect((await fetch(`${server.url}/v2/health/live`)).status).toBe(200);
    expect((await fetch(`${server.url}/v2/health/ready`)).status).toBe(200);
    expect((await fetch(`${server.url}/metrics`)).status).toBe(200);
  });
});
