/**
 * The model server's HTTP side: the Open Inference Protocol (KServe v2) REST endpoints and
 * `/metrics`. Every refusal is `{"error": "…"}` with a 4xx naming what was wrong (the input, the
 * output, the model, the version); a request never gets a 500 for its own mistakes.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { z } from 'zod';
import { jsonDepthProblem, MAX_JSON_DEPTH } from '../../dsl/ir/index';
import type { ArtifactStore } from '../stores/artifacts/index';
import type { Logger } from '../logging';
import type { BatchingOptions, Outputs } from './batcher';
import { ModelCatalog, type RegistrySource, type Resolved, type RouteHints } from './catalog';
import { badRequest, ServingError } from './errors';
import type { SessionOptions } from './loadedVersion';
import { createServingMetrics, type ServingMetrics } from './metrics';
import { parseModelRef } from './modelRef';
import { modelServerAuth, type ModelServerAuth } from './auth';
import { DEFAULT_REQUEST_LOG, RequestLog, type RequestLogOptions, type RequestLogSink } from './requestLog';
import {
  INFERENCE_HEADER_LENGTH,
  InferenceRequest,
  SERVER_EXTENSIONS,
  type InferenceResponse,
  type ModelMetadataResponse,
  type ResponseOutput,
  type ServerMetadataResponse,
} from './protocol';
import { decodeInput, toJsonData, type DecodedTensor } from './tensors';
import { datatypeOf } from './tensors';
import { ROLLOUT_HEADER, VERSION_HEADER } from './routing';
import { outputsAgree } from './shadow';

export interface ModelServerOptions {
  source: RegistrySource;
  artifacts: ArtifactStore;
  logger: Logger;
  host?: string;
  /** 0: any free port. */
  port?: number;
  batching?: Partial<BatchingOptions>;
  session?: Partial<SessionOptions>;
  pollMs?: number;
  defaultAlias?: string;
  /** How long a version that failed to load answers with that failure before it is tried again (default 10 s). */
  loadRetryMs?: number;
  /** Largest request body (JSON and binary tensors). */
  maxBodyBytes?: number;
  /** The server name and version GET /v2 reports. */
  serverVersion?: string;
  /** Sampled request/prediction logging (requestLog.ts): on when `records` is given and the sample rate is above 0. */
  requestLog?: Partial<RequestLogOptions> & { records?: RequestLogSink['records']; random?: () => number };
  /** Bearer tokens, as the API's (auth.ts); absent: no authentication. */
  auth?: ModelServerAuth;
}

export interface RunningModelServer {
  url: string;
  port: number;
  metrics: ServingMetrics;
  catalog: ModelCatalog;
  /** Absent when request logging is off. */
  requestLog?: RequestLog;
  close(): Promise<void>;
}

/** No queue delay by default: a lone request runs at once; under load, requests arriving while a
 * version's runs are busy gather into the next batch by themselves. */
export const DEFAULT_BATCHING: BatchingOptions = { maxBatchSize: 64, maxQueueDelayMs: 0, maxConcurrentBatches: 2 };
export const DEFAULT_POLL_MS = 1000;
/** A version that failed to load is tried again after this long (10 s): not once per request, which would hammer the store. */
export const DEFAULT_LOAD_RETRY_MS = 10_000;

/** A zod failure of the request body as one message that names the input (or output) concerned. */
function describeIssues(error: z.ZodError, body: unknown): string {
  const list = (body as { inputs?: unknown; outputs?: unknown } | null) ?? {};
  return error.issues
    .slice(0, 5)
    .map((issue) => {
      const [head, index, ...rest] = issue.path;
      if ((head === 'inputs' || head === 'outputs') && typeof index === 'number') {
        const items = (list as Record<string, unknown>)[head];
        const name = Array.isArray(items) ? (items[index] as { name?: unknown } | undefined)?.name : undefined;
        const what = `${head === 'inputs' ? 'input' : 'output'} ${typeof name === 'string' ? `"${name}"` : `#${index}`}`;
        return `${what}: ${rest.length ? `${rest.join('.')}: ` : ''}${issue.message}`;
      }
      return `${issue.path.length ? `${issue.path.join('.')}: ` : ''}${issue.message}`;
    })
    .join('; ');
}

/** The JSON part and the binary tensor bytes of an infer body. */
function splitBody(req: Request): { json: unknown; binary: Buffer } {
  const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
  const header = req.headers[INFERENCE_HEADER_LENGTH];
  let jsonLength = body.length;
  if (header !== undefined) {
    const n = Number(header);
    if (!Number.isInteger(n) || n < 0 || n > body.length) throw badRequest(`header Inference-Header-Content-Length is "${String(header)}", not a length within the ${body.length}-byte body`);
    jsonLength = n;
  }
  const text = body.subarray(0, jsonLength).toString('utf8');
  // Before any parser: the request schema and the tensor decoder recurse into nested data.
  const tooDeep = jsonDepthProblem(text);
  if (tooDeep) throw badRequest(`the request body nests too deep (${tooDeep}); a tensor's data is a flat or row-major nested list of at most ${MAX_JSON_DEPTH - 4} levels`);
  try {
    return { json: JSON.parse(text), binary: body.subarray(jsonLength) };
  } catch (e) {
    throw badRequest(`the request body is not JSON (${e instanceof Error ? e.message : String(e)}); send an inference request object {"inputs": [...]}`);
  }
}

function wantsBinary(request: InferenceRequest, output: string): boolean {
  const asked = request.outputs?.find((o) => o.name === output)?.parameters?.binary_data;
  if (asked !== undefined) return asked === true;
  return request.parameters?.binary_data_output === true;
}

/** Bytes of an output's elements, little-endian as the binary tensor data extension specifies. */
function outputBytes(type: string, data: Outputs[string]['data']): Buffer {
  if (ArrayBuffer.isView(data)) {
    if (type === 'bool') return Buffer.from(Uint8Array.from(data as unknown as ArrayLike<number>, (v) => (v ? 1 : 0)));
    return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  }
  throw badRequest(`output of type ${type} cannot be sent as binary data; ask for it as JSON`);
}

export async function startModelServer(o: ModelServerOptions): Promise<RunningModelServer> {
  const metrics = createServingMetrics();
  const batching: BatchingOptions = { ...DEFAULT_BATCHING, ...o.batching };
  for (const [k, v] of Object.entries(batching) as Array<[string, number]>) if (!Number.isFinite(v) || v < (k === 'maxQueueDelayMs' ? 0 : 1)) throw new RangeError(`batching ${k} must be ${k === 'maxQueueDelayMs' ? '≥ 0' : '≥ 1'}; got ${v}`);
  const catalog = new ModelCatalog(
    o.source,
    o.artifacts,
    {
      session: { provider: 'auto', gpu: 0, threads: 0, ...o.session },
      batching,
      pollMs: o.pollMs ?? DEFAULT_POLL_MS,
      defaultAlias: o.defaultAlias ?? 'champion',
      loadRetryMs: o.loadRetryMs ?? DEFAULT_LOAD_RETRY_MS,
    },
    o.logger,
    (model, version, rows, requests) => {
      const labels = { model, version: String(version) };
      metrics.batchRows.observe(labels, rows);
      metrics.batchRequests.observe(labels, requests);
    },
  );
  const logSettings = { ...DEFAULT_REQUEST_LOG, ...o.requestLog };
  const requestLog =
    o.requestLog?.records && logSettings.sampleRate > 0
      ? new RequestLog(logSettings, { artifacts: o.artifacts, records: o.requestLog.records }, o.logger, metrics.registry, o.requestLog.random)
      : undefined;
  // The store must answer before the server says it is ready.
  await o.source.listRegisteredModels();
  catalog.start();

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);

  const ref = (req: Request) => parseModelRef(String(req.params.model), req.params.version === undefined ? undefined : String(req.params.version));
  const hintsOf = (req: Request): RouteHints => ({
    header: (name) => {
      const value = req.headers[name];
      return typeof value === 'string' && value !== '' ? value : undefined;
    },
  });
  /** Which version answers, and as which arm of which rollout: on every model response. */
  const sayWhoAnswers = (res: Response, version: number, rollout: Resolved['rollout']): void => {
    res.setHeader(VERSION_HEADER, String(version));
    if (rollout) res.setHeader(ROLLOUT_HEADER, `${rollout.record.id}; arm=${rollout.arm}; weight=${rollout.record.weight}; mode=${rollout.record.mode}`);
  };
  /** Shadow mode: the candidate answers the same inputs off the request's path; only agreement is counted. */
  const mirror = (rollout: NonNullable<Resolved['rollout']>, inputs: DecodedTensor[], baseline: Outputs): void => {
    const r = rollout.record;
    const labels = { model: r.model, baseline: String(r.baselineVersion), candidate: String(r.candidateVersion) };
    void catalog
      .load(r.model, r.candidateVersion)
      .then((candidate) => candidate.infer(inputs))
      .then(
        (answer) => metrics.shadow.inc({ ...labels, result: outputsAgree(baseline, answer) ? 'agree' : 'disagree' }),
        () => metrics.shadow.inc({ ...labels, result: 'error' }),
      );
  };

  // Health stays open (as KServe's does): probes carry no token.
  app.get('/v2/health/live', (_req, res) => {
    res.json({ live: true });
  });
  app.get('/v2/health/ready', (_req, res) => {
    res.status(catalog.registryReachable ? 200 : 503).json({ ready: catalog.registryReachable });
  });
  app.get('/metrics', async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  // Everything else under /v2 (metadata, ready, infer) needs a token when auth is on.
  if (o.auth) app.use('/v2', modelServerAuth(o.auth));
  app.get('/v2', (_req, res) => {
    const body: ServerMetadataResponse = { name: 'sluice', version: o.serverVersion ?? '0', extensions: SERVER_EXTENSIONS };
    res.json(body);
  });

  const modelMetadata = async (req: Request, res: Response): Promise<void> => {
    const r = ref(req);
    // Said before the load, so a version that cannot load still names itself (and its rollout).
    const { version, alias, rollout } = await catalog.versionOf(r, hintsOf(req));
    sayWhoAnswers(res, version, rollout);
    const loaded = await catalog.load(r.model, version);
    const versions = (await o.source.listModelVersions(r.model)).map((v) => String(v.version)).reverse();
    const body: ModelMetadataResponse = {
      name: String(req.params.model),
      versions,
      platform: 'onnxruntime_onnx',
      inputs: loaded.inputs,
      outputs: loaded.outputs,
      parameters: {
        model: loaded.model,
        version: String(loaded.version),
        ...(alias ? { alias } : {}),
        ...(rollout
          ? {
              rollout: rollout.record.id,
              rollout_mode: rollout.record.mode,
              rollout_arm: rollout.arm,
              rollout_weight: rollout.record.weight,
              baseline_version: String(rollout.record.baselineVersion),
              candidate_version: String(rollout.record.candidateVersion),
            }
          : {}),
        execution_provider: loaded.provider === 'cuda' ? 'CUDA' : 'CPU',
        ...(loaded.cpuReason ? { cpu_reason: loaded.cpuReason } : {}),
        max_batch_size: batching.maxBatchSize,
        max_queue_delay_ms: batching.maxQueueDelayMs,
      },
    };
    res.json(body);
  };
  app.get('/v2/models/:model', modelMetadata);
  app.get('/v2/models/:model/versions/:version', modelMetadata);

  const modelReady = async (req: Request, res: Response): Promise<void> => {
    const r = ref(req);
    const { version } = await catalog.versionOf(r);
    // Ready means loaded: asking loads it (a version that cannot load is not ready, and says why).
    try {
      await catalog.load(r.model, version);
      res.json({ name: String(req.params.model), ready: true });
    } catch (e) {
      if (!(e instanceof ServingError) || e.code !== 'model_invalid') throw e;
      res.status(503).json({ name: String(req.params.model), ready: false, error: e.message });
    }
  };
  app.get('/v2/models/:model/ready', modelReady);
  app.get('/v2/models/:model/versions/:version/ready', modelReady);

  const raw = express.raw({ type: () => true, limit: o.maxBodyBytes ?? 64 * 1024 * 1024 });
  const infer = async (req: Request, res: Response): Promise<void> => {
    const started = performance.now();
    let labels = { model: '', version: '' };
    let status = 200;
    try {
      const r = ref(req);
      const { json, binary } = splitBody(req);
      const parsed = InferenceRequest.safeParse(json);
      if (!parsed.success) throw badRequest(`invalid inference request: ${describeIssues(parsed.error, json)}`);
      const request = parsed.data;
      // Labelled before the load: a candidate that cannot load counts its 503s against itself.
      const target = await catalog.versionOf(r, hintsOf(req));
      labels = { model: r.model, version: String(target.version) };
      sayWhoAnswers(res, target.version, target.rollout);
      const loaded = await catalog.load(r.model, target.version);

      // Inputs: every one the model takes, once; none it does not; binary parts in request order.
      const given = new Map<string, { input: InferenceRequest['inputs'][number]; bytes: Uint8Array | undefined }>();
      let offset = 0;
      for (const input of request.inputs) {
        if (given.has(input.name)) throw badRequest(`input "${input.name}" is given twice`);
        const size = input.parameters?.binary_data_size;
        let bytes: Uint8Array | undefined;
        if (size !== undefined) {
          if (typeof size !== 'number' || !Number.isInteger(size) || size < 0) throw badRequest(`input "${input.name}": parameters.binary_data_size must be a byte count`);
          if (offset + size > binary.length) throw badRequest(`input "${input.name}": binary_data_size ${size} runs past the ${binary.length} bytes of binary data in the body`);
          bytes = binary.subarray(offset, offset + size);
          offset += size;
        }
        given.set(input.name, { input, bytes });
      }
      if (offset !== binary.length) throw badRequest(`the body has ${binary.length - offset} bytes of binary data that no input's binary_data_size accounts for`);
      const expected = loaded.inputs.map((i) => i.name);
      for (const name of given.keys()) {
        if (!expected.includes(name)) throw badRequest(`input "${name}" is not an input of model "${loaded.model}" version ${loaded.version} (inputs: ${expected.join(', ')})`);
      }
      const decoded: DecodedTensor[] = loaded.inputs.map((meta) => {
        const g = given.get(meta.name);
        if (!g) throw badRequest(`input "${meta.name}" is missing (model "${loaded.model}" version ${loaded.version} takes ${expected.join(', ')})`);
        return decodeInput(g.input, meta, g.bytes);
      });
      const outputNames = loaded.outputs.map((t) => t.name);
      const wanted = request.outputs?.map((x) => x.name) ?? outputNames;
      const unknownOutput = wanted.find((n) => !outputNames.includes(n));
      if (unknownOutput !== undefined) throw badRequest(`output "${unknownOutput}" is not an output of model "${loaded.model}" version ${loaded.version} (outputs: ${outputNames.join(', ')})`);

      const results = await loaded.infer(decoded);
      requestLog?.offer({ model: loaded.model, version: loaded.version, id: request.id, inputs: decoded, outputs: results });
      if (target.rollout?.record.mode === 'shadow' && target.rollout.arm === 'baseline') mirror(target.rollout, decoded, results);

      const outputs: ResponseOutput[] = [];
      const parts: Buffer[] = [];
      for (const name of wanted) {
        const t = results[name]!;
        const datatype = datatypeOf(t.type) ?? 'BYTES';
        if (wantsBinary(request, name)) {
          const bytes = outputBytes(t.type, t.data);
          parts.push(bytes);
          outputs.push({ name, datatype, shape: t.shape, parameters: { binary_data_size: bytes.length } });
        } else outputs.push({ name, datatype, shape: t.shape, data: toJsonData(t.type, t.data) });
      }
      const body: InferenceResponse = { model_name: loaded.model, model_version: String(loaded.version), ...(request.id !== undefined ? { id: request.id } : {}), outputs };
      const text = JSON.stringify(body);
      if (parts.length === 0) {
        res.type('application/json').send(text);
      } else {
        const header = Buffer.from(text, 'utf8');
        res.setHeader('Inference-Header-Content-Length', String(header.length));
        res.type('application/octet-stream').send(Buffer.concat([header, ...parts]));
      }
    } catch (e) {
      status = e instanceof ServingError ? e.status : 500;
      throw e;
    } finally {
      const code = String(status);
      metrics.requests.inc({ ...labels, code });
      if (status >= 400) metrics.errors.inc({ ...labels, code });
      metrics.latency.observe(labels, (performance.now() - started) / 1000);
    }
  };
  app.post('/v2/models/:model/infer', raw, infer);
  app.post('/v2/models/:model/versions/:version/infer', raw, infer);

  app.use((req, res) => {
    res.status(404).json({ error: `no such endpoint: ${req.method} ${req.path} (the Open Inference Protocol lives under /v2; metrics at /metrics)` });
  });
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    if (err instanceof ServingError) {
      res.status(err.status).json({ error: err.message });
      return;
    }
    // Body parser refusals (too large, bad encoding) carry their HTTP status.
    const status = (err as { status?: unknown }).status;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      res.status(status).json({ error: `the request body was refused: ${(err as Error).message}` });
      return;
    }
    o.logger.error({ err, url: req.originalUrl }, 'model server error');
    res.status(500).json({ error: `internal error: ${err instanceof Error ? err.message : String(err)}` });
  });

  const server: Server = createServer(app);
  server.keepAliveTimeout = 65_000;
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(o.port ?? 8000, o.host ?? '127.0.0.1', () => resolve());
    });
  } catch (e) {
    // Not listening (a port in use, say): the registry poller must not outlive the attempt.
    await requestLog?.close();
    await catalog.stop();
    throw e;
  }
  const addr = server.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  return {
    url: `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${addr.port}`,
    port: addr.port,
    metrics,
    catalog,
    ...(requestLog ? { requestLog } : {}),
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      // Buffered samples are written before the registry and sessions go.
      await requestLog?.close();
      await catalog.stop();
    },
  };
}
