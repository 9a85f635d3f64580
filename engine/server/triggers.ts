/** Triggers over HTTP, and the public webhook endpoint (authenticated by its HMAC signature, not a token). */
import type { Request } from 'express';
import { PipelineValidationError } from '../../dsl/errors';
import { createTrigger, deleteTrigger, listTriggers, receiveWebhook, TriggerError, type TriggerDeps, type TriggerErrorCode, type TriggerInput } from '../automation/index';
import type { ApiContext } from './context';
import { ApiProblem, type ProblemType } from './problem';
import { implement, type ApiRoute } from './routing';

/** How each trigger error code answers over HTTP. */
const PROBLEMS: Record<TriggerErrorCode, ProblemType> = {
  invalid: 'bad-request',
  'not-found': 'not-found',
  exists: 'conflict',
  unauthenticated: 'unauthorized',
  replay: 'conflict',
  gone: 'not-found',
  'bad-payload': 'unprocessable',
};

async function mapped<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof PipelineValidationError) throw new ApiProblem('invalid-pipeline', e.message);
    if (e instanceof TriggerError) throw new ApiProblem(PROBLEMS[e.code], e.message, e.code === 'gone' ? { status: 410 } : {});
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
