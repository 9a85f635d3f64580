/**
 * Task metrics observed where tasks run (the worker), on prom-client's default registry: `sluice dev`
 * serves that registry at /metrics together with the API's series. A standalone worker records
 * them too but serves no HTTP of its own yet.
 */
import { Histogram, register } from 'prom-client';

let histogram: Histogram<'component' | 'status'> | undefined;

function taskDuration(): Histogram<'component' | 'status'> {
  histogram ??=
    (register.getSingleMetric('sluice_task_duration_seconds') as Histogram<'component' | 'status'> | undefined) ??
    new Histogram({
      name: 'sluice_task_duration_seconds',
      help: 'Duration of task attempts on this worker, by component and outcome (succeeded, cached, failed, cancelled)',
      labelNames: ['component', 'status'],
      buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300, 1800, 3600],
    });
  return histogram;
}

export function observeTask(component: string, status: 'succeeded' | 'cached' | 'failed' | 'cancelled', seconds: number): void {
  taskDuration().observe({ component, status }, seconds);
}
