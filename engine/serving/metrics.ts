/**
 * The model server's Prometheus series (prom-client), per registered model and version: requests
 * by status code, errors, request latency, and the rows and requests of each session.run (what
 * dynamic batching achieved). A request refused before its version was known carries version "".
 */
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

export interface ServingMetrics {
  registry: Registry;
  requests: Counter<'model' | 'version' | 'code'>;
  errors: Counter<'model' | 'version' | 'code'>;
  latency: Histogram<'model' | 'version'>;
  batchRows: Histogram<'model' | 'version'>;
  batchRequests: Histogram<'model' | 'version'>;
  /** Shadow rollouts: the candidate's answers to mirrored requests, agreeing with the baseline's or not. */
  shadow: Counter<'model' | 'baseline' | 'candidate' | 'result'>;
}

export function createServingMetrics(registry: Registry = new Registry()): ServingMetrics {
  if (!registry.getSingleMetric('process_cpu_user_seconds_total')) collectDefaultMetrics({ register: registry });
  const labelNames = ['model', 'version'] as const;
  return {
    registry,
    requests: new Counter({
      name: 'sluice_serving_requests_total',
      help: 'Inference requests answered, by registered model, version and HTTP status code',
      labelNames: [...labelNames, 'code'],
      registers: [registry],
    }),
    errors: new Counter({
      name: 'sluice_serving_errors_total',
      help: 'Inference requests answered with an error (4xx or 5xx), by model, version and HTTP status code',
      labelNames: [...labelNames, 'code'],
      registers: [registry],
    }),
    latency: new Histogram({
      name: 'sluice_serving_request_duration_seconds',
      help: 'Time from an inference request read to its answer written, by model and version',
      labelNames,
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    batchRows: new Histogram({
      name: 'sluice_serving_batch_rows',
      help: 'Rows per ONNX Runtime session.run (dynamic batching), by model and version',
      labelNames,
      buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024],
      registers: [registry],
    }),
    batchRequests: new Histogram({
      name: 'sluice_serving_batch_requests',
      help: 'Requests sharing one ONNX Runtime session.run (dynamic batching), by model and version',
      labelNames,
      buckets: [1, 2, 4, 8, 16, 32, 64, 128],
      registers: [registry],
    }),
    shadow: new Counter({
      name: 'sluice_serving_shadow_total',
      help: 'Requests mirrored to a shadow rollout candidate, by result: agree (same argmax, outputs within tolerance), disagree, error',
      labelNames: ['model', 'baseline', 'candidate', 'result'],
      registers: [registry],
    }),
  };
}
