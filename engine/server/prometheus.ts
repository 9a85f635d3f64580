/**
 * `/metrics` in Prometheus format (prom-client): the process's default metrics, an HTTP request
 * duration histogram, runs submitted through the API, and runs by status (read from the metadata
 * store at scrape time, so it counts every run whoever started it). Our series carry `sluice_`.
 */
import type { RequestHandler } from 'express';
import type { Client } from '@temporalio/client';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Logger } from '../logging';
import type { MetadataStore, RunStatus } from '../stores/metadata/index';
import { redactedUrl } from './problem';

export interface ApiMetrics {
  registry: Registry;
  runsSubmitted: Counter<'trigger'>;
  /** Times every request (label `route` is the route template, never the raw path). */
  middleware: RequestHandler;
}

const RUN_STATUSES: RunStatus[] = ['pending', 'running', 'succeeded', 'failed', 'cancelled'];

/** Metrics registered on `registry` (a fresh one by default; pass one to share it with other parts). */
export function createApiMetrics(
  metadata: MetadataStore,
  logger: Logger,
  openStreams: () => number,
  registry: Registry = new Registry(),
  queues?: { client: Client; taskQueuePrefix: string },
): ApiMetrics {
  if (!registry.getSingleMetric('process_cpu_user_seconds_total')) collectDefaultMetrics({ register: registry });
  const existing = <T>(name: string): T | undefined => registry.getSingleMetric(name) as T | undefined;

  const duration =
    existing<Histogram<'method' | 'route' | 'status'>>('sluice_http_request_duration_seconds') ??
    new Histogram({
      name: 'sluice_http_request_duration_seconds',
      help: 'Duration of HTTP requests to the Sluice API, by method, route template and status',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    });
  const runsSubmitted =
    existing<Counter<'trigger'>>('sluice_runs_submitted_total') ??
    new Counter({
      name: 'sluice_runs_submitted_total',
      help: 'Runs submitted through this API server (new runs and retries)',
      labelNames: ['trigger'],
      registers: [registry],
    });
  if (!existing('sluice_runs')) {
    new Gauge({
      name: 'sluice_runs',
      help: 'Runs in the metadata store by status (final statuses: succeeded, failed, cancelled)',
      labelNames: ['status'],
      registers: [registry],
      async collect() {
        try {
          const counts = await metadata.countRunsByStatus();
          for (const status of RUN_STATUSES) this.set({ status }, counts[status]);
        } catch (err) {
          logger.warn({ err }, 'could not count runs by status for /metrics');
        }
      },
    });
  }

  if (queues && !existing('sluice_tasks_waiting')) {
    // temporal.api.enums.v1.TaskQueueType: 1 workflow, 2 activity (the proto package's named
    // exports do not load under every ESM loader, so the wire values are written out).
    const WORKFLOW = 1;
    const ACTIVITY = 2;
    const names = [
      { queue: queues.taskQueuePrefix, type: WORKFLOW },
      { queue: `${queues.taskQueuePrefix}-cpu`, type: ACTIVITY },
      { queue: `${queues.taskQueuePrefix}-gpu`, type: ACTIVITY },
    ];
    new Gauge({
      name: 'sluice_tasks_waiting',
      help: 'Tasks waiting in each task queue for a worker (Temporal backlog estimate): control, cpu, gpu',
      labelNames: ['queue'],
      registers: [registry],
      async collect() {
        for (const { queue, type } of names) {
          try {
            const res = await queues.client.withDeadline(Date.now() + 2000, () =>
              queues.client.workflowService.describeTaskQueue({ namespace: 'default', taskQueue: { name: queue }, taskQueueType: type, reportStats: true }),
            );
            this.set({ queue }, Number(res.stats?.approximateBacklogCount ?? 0));
          } catch (err) {
            logger.warn({ err, queue }, 'could not read the task queue backlog for /metrics');
          }
        }
      },
    });
  }

  if (!existing('sluice_api_event_streams')) {
    new Gauge({
      name: 'sluice_api_event_streams',
      help: 'Server-sent event streams open on this API server',
      registers: [registry],
      collect() {
        this.set(openStreams());
      },
    });
  }

  const middleware: RequestHandler = (req, res, next) => {
    const end = duration.startTimer();
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      logger.debug(
        { method: req.method, url: redactedUrl(req.originalUrl), route: res.locals.route as string | undefined, status: res.statusCode, ms: Number(process.hrtime.bigint() - started) / 1e6 },
        'API request',
      );
      // Event streams are long by design; their duration would only blur the histogram.
      if (String(res.getHeader('Content-Type') ?? '').startsWith('text/event-stream')) return;
      end({ method: req.method, route: (res.locals.route as string | undefined) ?? 'unmatched', status: String(res.statusCode) });
    });
    next();
  };
  return { registry, runsSubmitted, middleware };
}
