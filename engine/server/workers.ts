/**
 * `GET /api/workers`: the workers serving this server's task queues, as Temporal sees them (the
 * pollers of each queue, named by the identity each worker gave itself: role, GPUs, ML runtimes).
 * Nothing is stored: a worker that stops polling drops out of the list within minutes.
 */
import type { ApiContext } from './context';
import { ApiProblem } from './problem';
import { implement, type ApiRoute } from './routing';
import { listWorkers } from '../temporal/worker/index';

export function workerRoutes(ctx: ApiContext): ApiRoute[] {
  return [
    implement('listWorkers', {
      handler: async () => {
        let view;
        try {
          view = await listWorkers(ctx.client, ctx.taskQueuePrefix);
        } catch (e) {
          throw new ApiProblem('unavailable', `cannot list the workers: the Temporal server did not describe the task queues (${(e as Error).message})`);
        }
        return {
          body: {
            queues: view.queues,
            workers: view.workers.map((w) => ({ ...w, lastSeen: w.lastSeen?.toISOString() ?? null })),
          },
        };
      },
    }),
  ];
}
