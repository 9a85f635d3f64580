/** Triggers over HTTP, and the public webhook endpoint (authenticated by its HMAC signature, not a token). */
import type { Request } from 'express';
import { PipelineValidationError } from '../../dsl/errors';
import { createTrigger, deleteTrigger, listTriggers, receiveWebhook, TriggerError, type TriggerDeps, type TriggerErrorCode, type TriggerInput } from '../automation/index';
import type { ApiContext } from './context';
import { z } from './openapi';
import { ApiProblem, type ProblemType } from './problem';
import { defineRoute, type ApiRoute } from './routing';
import { jsonValueSchema } from './schemas';

const triggerSchema = z.object({ id: z.string(), kind: z.enum(['webhook', 'artifact', 'completion', 'notification']) }).loose().openapi('Trigger');
const idParams = z.strictObject({ trigger: z.string().min(1).max(100) });

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
    defineRoute({
      method: 'post',
      path: '/api/triggers',
      access: 'editor',
      operationId: 'createTrigger',
      summary: 'Create a trigger: webhook, new-artifact sensor, pipeline completion or notification',
      description: 'A webhook trigger answers with its secret once; sign each delivery with HMAC-SHA256 over "v1:<timestamp>:<delivery id>:<body>".',
      tags: ['triggers'],
      // Checked in full by createTrigger (the zod union holds recursive JSON the OpenAPI generator cannot describe).
      body: z.looseObject({ kind: z.enum(['webhook', 'artifact', 'completion', 'notification']), id: z.string() }).openapi('TriggerInput'),
      responses: { 201: { description: 'Created', schema: z.object({ trigger: triggerSchema, secret: z.string().optional() }) } },
      handler: async ({ body }) => {
        const created = await mapped(() => createTrigger(deps, body as TriggerInput));
        return { status: 201, headers: { Location: `/api/triggers/${created.definition.id}` }, body: { trigger: created.definition, ...(created.secret ? { secret: created.secret } : {}) } };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/triggers',
      access: 'viewer',
      operationId: 'listTriggers',
      summary: 'Triggers (secrets left out)',
      tags: ['triggers'],
      responses: { 200: { description: 'Triggers', schema: z.object({ triggers: z.array(triggerSchema) }) } },
      handler: async () => ({ body: { triggers: await listTriggers(ctx.client) } }),
    }),
    defineRoute({
      method: 'delete',
      path: '/api/triggers/:trigger',
      access: 'editor',
      operationId: 'deleteTrigger',
      summary: 'Delete a trigger (runs it started stay)',
      tags: ['triggers'],
      params: idParams,
      responses: { 204: { description: 'Deleted' } },
      handler: async ({ params }) => {
        await mapped(() => deleteTrigger(ctx.client, params.trigger));
        return { status: 204 };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/triggers/:trigger/webhook',
      access: 'public',
      keepRawBody: true,
      operationId: 'receiveWebhook',
      summary: 'Start a run from a signed webhook delivery',
      description:
        'Headers: X-Sluice-Signature (sha256=<hex HMAC-SHA256 of "v1:<timestamp>:<delivery id>:<body>">), X-Sluice-Timestamp (unix seconds), X-Sluice-Delivery (unique id, signed). Bad signature 401, replayed delivery 409, parameters the store cannot hold 422.',
      tags: ['triggers'],
      params: idParams,
      body: jsonValueSchema,
      responses: { 202: { description: 'A run was started', schema: z.object({ runId: z.string(), workflowId: z.string() }) } },
      handler: async ({ params, req }) => {
        const raw = (req as Request & { rawBody?: Buffer }).rawBody ?? Buffer.alloc(0);
        const started = await mapped(() => receiveWebhook(deps, params.trigger, raw, req.headers));
        return { status: 202, headers: { Location: `/api/runs/${started.runId}` }, body: started };
      },
    }),
  ];
}
