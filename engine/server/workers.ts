/**
 * `GET /api/workers`: the workers serving this server's task queues, as Temporal sees them (the
 * pollers of each queue, named by the identity each worker gave itself: role, GPUs, ML runtimes).
 * Nothing is stored: a worker that stops polling drops out of the list within minutes.
 */
import type { ApiContext } from './context';
import { z } from './openapi';
import { ApiProblem } from './problem';
import { defineRoute, type ApiRoute } from './routing';
import { listWorkers, POLLER_FRESH_MS } from '../temporal/worker/index';

const role = z.enum(['control', 'cpu', 'gpu']);

const workersSchema = z
  .object({
    queues: z.array(
      z.object({
        name: z.string(),
        role,
        pollers: z.number().int().openapi({ description: 'Workers Temporal saw polling in the last minutes' }),
        idlePollers: z.number().int().openapi({ description: `Of those, polling within the last ${POLLER_FRESH_MS / 1000} s: ready for a task` }),
      }),
    ),
    workers: z.array(
      z.object({
        process: z.string().openapi({ description: 'pid@host of the worker process' }),
        roles: z.array(role),
        taskQueues: z.array(z.string()),
        gpus: z.array(z.number().int()).openapi({ description: "GPU indices (nvidia-smi's numbering) of its gpu worker" }),
        tfjs: z.string().optional().openapi({ description: 'TensorFlow.js backend: tfjs-node-gpu, tfjs-node or cpu' }),
        onnx: z.array(z.string()).optional().openapi({ description: 'ONNX Runtime execution providers that work, best first' }),
        lastSeen: z.string().nullable().openapi({ format: 'date-time' }),
        polling: z.boolean().openapi({ description: 'false: busy on every task slot, or gone' }),
        identities: z.array(z.string()),
      }),
    ),
  })
  .openapi('Workers');

export function workerRoutes(ctx: ApiContext): ApiRoute[] {
  return [
    defineRoute({
      method: 'get',
      path: '/api/workers',
      access: 'viewer',
      operationId: 'listWorkers',
      summary: 'Workers polling the task queues (control, cpu, gpu), with their GPUs and ML runtimes',
      tags: ['operations'],
      responses: {
        200: { description: 'Queues and the worker processes polling them', schema: workersSchema },
        503: { description: 'The Temporal server did not answer' },
      },
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
