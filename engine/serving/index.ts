/**
 * engine/serving: the model server, its own process role (`sluice model-server`, also started by
 * `sluice dev`). It serves registered model versions (ONNX) over the Open Inference Protocol
 * (KServe v2), resolving aliases such as `iris@champion` from the registry in the metadata store
 * and reading model files from the artifact store, with one ONNX Runtime session per loaded
 * version, server-side dynamic batching, and Prometheus metrics.
 */
export { startModelServer, DEFAULT_BATCHING, DEFAULT_POLL_MS } from './server';
export type { ModelServerOptions, RunningModelServer } from './server';
export type { RegistrySource } from './catalog';
export { ROUTE_KEY_HEADER, VERSION_HEADER, ROLLOUT_HEADER, routeBucket, chooseArm } from './routing';
export { outputsAgree } from './shadow';
export type { BatchingOptions } from './batcher';
export type { SessionOptions } from './loadedVersion';
export * as oip from './protocol';
export { DEFAULT_REQUEST_LOG, RequestLog } from './requestLog';
export type { RequestLogOptions, RequestLogSink } from './requestLog';
export type { ModelServerAuth } from './auth';
