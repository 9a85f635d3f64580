/**
 * An existing Open Inference Protocol client works unchanged against Sluice's model server: NVIDIA's
 * `tritonclient[http]` from PyPI (in the virtualenv scripts/ensure-tritonclient.sh makes) checks
 * health, reads the metadata of `iris@champion`, infers on it with binary tensor data and with
 * JSON, and gets a 400 naming the input for a wrong shape; with auth on, the same with an API token
 * in tritonclient's `headers`, and a 401 without. Skipped, saying why, only when the
 * virtualenv cannot be made here.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../engine/logging';
import path from 'node:path';
import { createApiToken } from '../../engine/server/index';
import { startModelServer, type RunningModelServer } from '../../engine/serving/index';
import { ensureVenvPython, runPython } from '../support/pythonVenv';
import { constantIrisModel, servedRegistry, type ServedRegistry } from '../support/servedModels';


const triton = ensureVenvPython('ensure-tritonclient.sh');
if (triton.reason) console.warn(`skipping the tritonclient tests: ${triton.reason}`);


describe.skipIf(!triton.python)('the model server, driven by the tritonclient Python HTTP client', () => {
  let reg: ServedRegistry;
  let server: RunningModelServer;

  beforeAll(async () => {
    reg = await servedRegistry();
    await reg.register('iris', constantIrisModel(0));
    await reg.register('iris', constantIrisModel(2));
    await reg.move('iris', 'champion', 2);
    server = await startModelServer({ source: reg.metadata, artifacts: reg.artifacts, logger: createLogger({ level: 'silent' }), port: 0 });
  });

  afterAll(async () => {
    await server?.close();
    await reg?.close();
  });

  const expected = {
    live: true,
    ready: true,
    model_ready: true,
    metadata: {
      name: 'iris@champion',
      platform: 'onnxruntime_onnx',
      inputs: [{ name: 'features', datatype: 'FP32', shape: [-1, 4] }],
      parameters: { model: 'iris', version: '2', alias: 'champion' },
    },
    binary: { model_version: '2', label: [2, 2], probabilities_shape: [2, 3] },
    json: { model_version: '2', label: [2, 2], probabilities_shape: [2, 3] },
    default_outputs: [2, 2],
    bad: { status: '400', message: expect.stringMatching(/input "features": shape \[2, 3\] does not fit/) as string },
  };

  it('with auth on, sends the API token in its headers; without one it gets a 401', async () => {
    const secured = await startModelServer({ source: reg.metadata, artifacts: reg.artifacts, logger: createLogger({ level: 'silent' }), port: 0, auth: { metadata: reg.metadata } });
    try {
      const { token } = await createApiToken(reg.metadata, { name: 'triton', role: 'viewer' });
      const { code, stdout, stderr } = await runPython(triton.python!, [path.join(import.meta.dirname, 'tritonInfer.py'), secured.url.replace(/^http:\/\//, ''), 'iris@champion', token]);
      expect(code, stderr).toBe(0);
      expect(JSON.parse(stdout)).toMatchObject({ ...expected, no_token: { status: '401', message: expect.stringMatching(/requires an API token/) as string } });
    } finally {
      await secured.close();
    }
  }, 120_000);

  it('infers on iris@champion', async () => {
    const { code, stdout, stderr } = await runPython(triton.python!, [path.join(import.meta.dirname, 'tritonInfer.py'), server.url.replace(/^http:\/\//, ''), 'iris@champion']);
    expect(code, stderr).toBe(0);
    const seen = JSON.parse(stdout) as Record<string, unknown>;
    expect(seen).toMatchObject(expected);
  }, 120_000);
});
