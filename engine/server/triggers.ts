/** Triggers over HTTP, and the public webhook endpoint (authenticated by its HMAC signature, not a token). */
import type { Request } from 'express';
import { PipelineValidationError } from '../../dsl/errors';
import { createTrigger, deleteTrigger, listTriggers, receiveWebhook, TriggerError, type TriggerDeps, type TriggerInput } from '../automation/index';
import type { ApiContext } from './context';
import { ApiProblem, type ProblemType } from './problem';
import { implement, type ApiRoute } from './routing';

const STATUS_TYPES: Record<number, ProblemType> = { 400: 'bad-request', 401: 'unauthorized', 404: 'not-found', 409: 'conflict', 410: 'not-found', 422: 'unprocessable' };

async function mapped<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof PipelineValidationError) throw new ApiProblem('invalid-pipeline', e.message);
    if (e instanceof TriggerError) throw new ApiProblem(STATUS_TYPES[e.status] ?? 'unprocessable', e.message, { status: e.status });
    throw e;
  }
}

export function triggerRoutes(ctx: ApiContext): ApiRoute[] {
  const deps: TriggerDeps = { client: ctx.client, metadata: ctx.metadata, taskQueuePrefix: ctx.taskQueuePrefix };
  return [
    implement('createTrigger', {
      handler: async ({ body }) => {
        const created = await mapped(() => createTrigger(deps, body as TriggerInput));
        return { status: 201, headers: { Location: `/api/triggers/${created.definition.id}` }, body: { trigger: created.definition, ...(created.secret ? { secret: created.secret } : {}) } };
      },
    }),
    implement('listTriggers', {
      handler: async () => ({ body: { triggers: await listTriggers(ctx.client) } }),
    }),
    implement('deleteTrigger', {
      handler: async ({ params }) => {
        await mapped(() => deleteTrigger(ctx.client, params.trigger));
        return { status: 204 };
      },
    }),
    implement('receiveWebhook', {
      keepRawBody: true,
      handler: async ({ params, req }) => {
        const raw = (req as Request & { rawBody?: Buffer }).rawBody ?? Buffer.alloc(0);
        const started = await mapped(() => receiveWebhook(deps, params.trigger, raw, req.headers));
        return { status: 202, headers: { Location: `/api/runs/${started.runId}` }, body: started };
      },
    }),
  ];
}
