/**
 * The model server over real HTTP, real ONNX Runtime sessions and a real registry: the Open
 * Inference Protocol's health, metadata and infer endpoints (JSON and binary tensor data), aliases
 * addressed as `iris@champion` (also URL-encoded), refusals that are 4xx naming the input, output,
 * model or version (never a 500), dynamic batching, Prometheus metrics per model version, and an
 * alias moved under ~200 requests/second that drops no request while the answers switch versions.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../engine/logging';
import { oip, startModelServer, type RunningModelServer } from '../../engine/serving/index';
import { servedRegistry, constantIrisModel, type ServedRegistry } from '../support/servedModels';

const ROWS = [
  [5.1, 3.5, 1.4, 0.2],
  [6.7, 3.0, 5.2, 2.3],
];

const inferBody = (over: Partial<oip.RequestInput> = {}) => ({ id: 'r1', inputs: [{ name: 'features', shape: [2, 4], datatype: 'FP32', data: ROWS, ...over }] });

async function post(url: string, body: unknown, headers: Record<string, string> = { 'content-type': 'application/json' }): Promise<{ status: number; json: unknown }> {
  const res = await fetch(url, { method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body) });
  return { status: res.status, json: await res.json() };
}

async function get(url: string): Promise<{ status: number; json: unknown }> {
  const res = await fetch(url);
  return { status: res.status, json: await res.json() };
}

describe('the model server (Open Inference Protocol)', () => {
  let reg: ServedRegistry;
  let server: RunningModelServer;
  let v: string;

  beforeAll(async () => {
    reg = await servedRegistry();
    expect(await reg.register('iris', constantIrisModel(0))).toBe(1);
    expect(await reg.register('iris', constantIrisModel(2))).toBe(2);
    await reg.register('broken', 'this is not an ONNX model');
    await reg.move('iris', 'champion', 1);
    await reg.move('iris', 'challenger', 2);
    server = await startModelServer({
      source: reg.metadata,
      artifacts: reg.artifacts,
      logger: createLogger({ level: 'silent' }),
      port: 0,
      pollMs: 50,
      batching: { maxBatchSize: 64, maxQueueDelayMs: 20, maxConcurrentBatches: 1 },
    });
    v = `${server.url}/v2`;
  });

  afterAll(async () => {
    await server?.close();
    await reg?.close();
  });

  it('answers health and server metadata', async () => {
    expect(await get(`${v}/health/live`)).toEqual({ status: 200, json: { live: true } });
    expect(await get(`${v}/health/ready`)).toEqual({ status: 200, json: { ready: true } });
    const meta = await get(v);
    expect(meta.status).toBe(200);
    expect(oip.ServerMetadataResponse.parse(meta.json)).toMatchObject({ name: 'sluice', extensions: ['binary_tensor_data'] });
  });

  it('describes a model version from its ONNX signature and says which execution provider runs it', async () => {
    for (const name of ['iris@champion', 'iris%40champion']) {
      const res = await get(`${v}/models/${name}`);
      expect(res.status).toBe(200);
      expect(oip.ModelMetadataResponse.parse(res.json)).toEqual({
        name: 'iris@champion',
        versions: ['1', '2'],
        platform: 'onnxruntime_onnx',
        inputs: [{ name: 'features', datatype: 'FP32', shape: [-1, 4] }],
        outputs: [
          { name: 'probabilities', datatype: 'FP32', shape: [-1, 3] },
          { name: 'label', datatype: 'INT64', shape: [-1] },
        ],
        parameters: expect.objectContaining({ model: 'iris', version: '1', alias: 'champion', execution_provider: expect.stringMatching(/^(CPU|CUDA)$/) as string }) as Record<string, string>,
      });
    }
    // On the CPU it says why, in the server's terms (not a pipeline task's).
    const { parameters } = oip.ModelMetadataResponse.parse((await get(`${v}/models/iris@champion`)).json);
    if (parameters?.execution_provider === 'CPU') expect(parameters.cpu_reason).toMatch(/^(?!.*task).*(GPU|CUDA)/);
    const byVersion = oip.ModelMetadataResponse.parse((await get(`${v}/models/iris/versions/2`)).json);
    expect(byVersion.parameters).toMatchObject({ version: '2' });
    expect(byVersion.parameters).not.toHaveProperty('alias');
    // A bare name is the champion.
    expect(oip.ModelMetadataResponse.parse((await get(`${v}/models/iris`)).json).parameters).toMatchObject({ version: '1', alias: 'champion' });
    expect(await get(`${v}/models/iris@challenger/ready`)).toEqual({ status: 200, json: { name: 'iris@challenger', ready: true } });
  });

  it('infers by alias and by version, in JSON', async () => {
    const champion = await post(`${v}/models/iris%40champion/infer`, inferBody());
    expect(champion.status).toBe(200);
    const answer = oip.InferenceResponse.parse(champion.json);
    expect(answer).toMatchObject({ model_name: 'iris', model_version: '1', id: 'r1' });
    expect(answer.outputs.find((o) => o.name === 'label')).toEqual({ name: 'label', datatype: 'INT64', shape: [2], data: [0, 0] });
    const probs = answer.outputs.find((o) => o.name === 'probabilities')!;
    expect(probs.shape).toEqual([2, 3]);
    expect(probs.data![0]).toBeGreaterThan(0.99);

    const v2 = oip.InferenceResponse.parse((await post(`${v}/models/iris/versions/2/infer`, { ...inferBody(), outputs: [{ name: 'label' }] })).json);
    expect(v2).toMatchObject({ model_version: '2', outputs: [{ name: 'label', data: [2, 2] }] });
  });

  it('reads and writes binary tensor data (the extension tritonclient uses by default)', async () => {
    const data = new Float32Array(ROWS.flat());
    const header = Buffer.from(JSON.stringify({ inputs: [{ name: 'features', shape: [2, 4], datatype: 'FP32', parameters: { binary_data_size: data.byteLength } }], outputs: [{ name: 'label', parameters: { binary_data: true } }] }));
    const res = await fetch(`${v}/models/iris@challenger/infer`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream', 'Inference-Header-Content-Length': String(header.length) },
      body: Buffer.concat([header, Buffer.from(data.buffer)]),
    });
    expect(res.status).toBe(200);
    const body = Buffer.from(await res.arrayBuffer());
    const jsonLength = Number(res.headers.get('inference-header-content-length'));
    const answer = oip.InferenceResponse.parse(JSON.parse(body.subarray(0, jsonLength).toString()));
    expect(answer.outputs).toEqual([{ name: 'label', datatype: 'INT64', shape: [2], parameters: { binary_data_size: 16 } }]);
    const labels = new BigInt64Array(body.buffer.slice(body.byteOffset + jsonLength, body.byteOffset + jsonLength + 16));
    expect([...labels]).toEqual([2n, 2n]);
  });

  it('refuses malformed requests with 400 naming the input (never a 500)', async () => {
    const cases: Array<[unknown, RegExp]> = [
      [inferBody({ datatype: 'INT32', data: [[1, 2, 3, 4], [5, 6, 7, 8]] }), /input "features": datatype INT32 but the model expects FP32/],
      [inferBody({ shape: [2, 3], data: [[1, 2, 3], [4, 5, 6]] }), /input "features": shape \[2, 3\] does not fit the model's \[-1, 4\]/],
      [inferBody({ shape: [2, 4], data: [1, 2, 3] }), /input "features": shape \[2, 4\] holds 8 elements but data has 3/],
      [inferBody({ data: [['a', 'b', 'c', 'd'], [1, 2, 3, 4]] }), /input "features": data must hold only numbers/],
      [inferBody({ shape: [2, -4] as number[] }), /input "features": shape/],
      [{ inputs: [{ name: 'features', shape: [2, 4], datatype: 'FP32', data: ROWS }, { name: 'petals', shape: [1], datatype: 'FP32', data: [1] }] }, /input "petals" is not an input of model "iris"/],
      [{ inputs: [{ name: 'colour', shape: [1], datatype: 'FP32', data: [1] }] }, /input "colour" is not an input/],
      [{ ...inferBody(), outputs: [{ name: 'logits' }] }, /output "logits" is not an output/],
      [{ inputs: [] }, /inputs/],
      [{ inputs: [{ shape: [1], datatype: 'FP32', data: [1] }] }, /input #0: name/],
    ];
    for (const [body, message] of cases) {
      const res = await post(`${v}/models/iris@champion/infer`, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(oip.ErrorResponse.parse(res.json).error).toMatch(message);
    }
    const notJson = await post(`${v}/models/iris@champion/infer`, '{"inputs": [', { 'content-type': 'application/json' });
    expect(notJson.status).toBe(400);
    expect(oip.ErrorResponse.parse(notJson.json).error).toMatch(/not JSON/);
    const short = await post(`${v}/models/iris@champion/infer`, JSON.stringify({ inputs: [{ name: 'features', shape: [2, 4], datatype: 'FP32', parameters: { binary_data_size: 32 } }] }), {
      'content-type': 'application/octet-stream',
    });
    expect(short.status).toBe(400);
    expect(oip.ErrorResponse.parse(short.json).error).toMatch(/input "features": binary_data_size 32 runs past/);
    // Regression: data nested 100,000 deep overflowed the schema's recursion (a 500).
    const deep = `{"inputs":[{"name":"features","shape":[1],"datatype":"FP32","data":${'['.repeat(100_000)}1${']'.repeat(100_000)}}]}`;
    const nested = await post(`${v}/models/iris@champion/infer`, deep);
    expect(nested.status).toBe(400);
    expect(oip.ErrorResponse.parse(nested.json).error).toMatch(/nest/);
  });

  it('answers 404 for an unknown model, alias or version, and 503 for a version that cannot load', async () => {
    const cases: Array<[string, RegExp]> = [
      ['models/tulips/infer', /no registered model named "tulips"/],
      ['models/iris@production/infer', /model "iris" has no alias "production" \(aliases: challenger, champion;/],
      ['models/iris/versions/7/infer', /model "iris" has no version 7/],
      ['models/iris/versions/latest/infer', /model "iris" has no version "latest"/],
    ];
    for (const [p, message] of cases) {
      const res = await post(`${v}/${p}`, inferBody());
      expect(res.status, p).toBe(404);
      expect(oip.ErrorResponse.parse(res.json).error).toMatch(message);
    }
    expect((await get(`${v}/models/tulips`)).status).toBe(404);
    const broken = await post(`${v}/models/broken/infer`, inferBody());
    expect(broken.status).toBe(503);
    expect(oip.ErrorResponse.parse(broken.json).error).toMatch(/version 1 of model "broken" cannot be loaded by ONNX Runtime/);
    expect((await get(`${v}/models/broken/ready`)).json).toMatchObject({ name: 'broken', ready: false });
  });

  it('batches concurrent requests into shared ONNX Runtime runs and counts them per model version', async () => {
    const before = await server.metrics.batchRequests.get();
    const countOf = (m: typeof before, version: string) => m.values.find((x) => x.metricName === 'sluice_serving_batch_requests_count' && x.labels.version === version)?.value ?? 0;
    const answers = await Promise.all(Array.from({ length: 40 }, () => post(`${v}/models/iris/versions/2/infer`, inferBody({ shape: [1, 4], data: [ROWS[0]!] }))));
    expect(answers.every((a) => a.status === 200)).toBe(true);
    const runs = countOf(await server.metrics.batchRequests.get(), '2') - countOf(before, '2');
    expect(runs).toBeGreaterThan(0);
    expect(runs).toBeLessThan(40);

    const text = await (await fetch(`${server.url}/metrics`)).text();
    expect(text).toMatch(/sluice_serving_requests_total\{model="iris",version="2",code="200"\} \d+/);
    expect(text).toMatch(/sluice_serving_errors_total\{model="iris",version="1",code="400"\} \d+/);
    expect(text).toMatch(/sluice_serving_request_duration_seconds_bucket\{le="0\.001",model="iris",version="1"\}/);
    expect(text).toMatch(/sluice_serving_batch_rows_sum\{model="iris",version="2"\}/);
  });

  it('follows an alias moved under ~200 requests/second without dropping a request', async () => {
    await reg.move('iris', 'champion', 1);
    const sent: Array<Promise<{ status: number; version: string | undefined; afterSwitch: boolean }>> = [];
    let newAnswers = 0;
    const fire = () => {
      // Sent after an answer from version 2 had come back: the server had switched already.
      const afterSwitch = newAnswers > 0;
      sent.push(
        post(`${v}/models/iris@champion/infer`, inferBody({ shape: [1, 4], data: [ROWS[1]!] })).then(
          (r) => {
            const version = r.status === 200 ? oip.InferenceResponse.parse(r.json).model_version : JSON.stringify(r.json);
            if (version === '2') newAnswers++;
            return { status: r.status, version, afterSwitch };
          },
          (e: unknown) => ({ status: 0, version: String(e), afterSwitch }),
        ),
      );
    };
    const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));
    // ~200 requests/second: one every 5 ms; the alias moves after 200 requests.
    for (let i = 0; i < 200; i++) {
      fire();
      await tick(5);
    }
    await reg.move('iris', 'champion', 2);
    const movedAt = sent.length;
    // The load goes on until 50 answers came from version 2 (the move is seen within a poll
    // interval; no bound on how long that takes on a loaded machine, only on requests).
    while (newAnswers < 50 && sent.length < movedAt + 3000) {
      fire();
      await tick(5);
    }
    const results = await Promise.all(sent);
    expect(results.filter((r) => r.status !== 200)).toEqual([]);
    const versions = results.map((r) => r.version);
    expect(versions[0]).toBe('1');
    expect(new Set(versions)).toEqual(new Set(['1', '2']));
    // Once switched, never back.
    expect(results.filter((r) => r.afterSwitch && r.version !== '2')).toEqual([]);
    expect(results.filter((r) => r.afterSwitch).length).toBeGreaterThan(0);
  }, 120_000);
});
