/** `/healthz` (the process answers), `/readyz` (the metadata store and Temporal answer), `/metrics`. */
import type { ApiContext } from './context';
import { z } from './openapi';
import { ApiProblem } from './problem';
import { defineRoute, type ApiRoute } from './routing';

const CHECK_TIMEOUT_MS = 3000;

async function check(what: () => Promise<unknown>): Promise<string | undefined> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      what(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
      }),
    ]);
    return undefined;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  } finally {
    clearTimeout(timer);
  }
}

export function healthRoutes(ctx: ApiContext): ApiRoute[] {
  return [
    defineRoute({
      method: 'get',
      path: '/healthz',
      access: 'public',
      operationId: 'health',
      summary: 'The process is up',
      tags: ['operations'],
      responses: { 200: { description: 'Up', schema: z.object({ status: z.literal('ok') }) } },
      handler: async () => ({ body: { status: 'ok' } }),
    }),
    defineRoute({
      method: 'get',
      path: '/readyz',
      access: 'public',
      operationId: 'ready',
      summary: 'The metadata store and the Temporal server answer',
      tags: ['operations'],
      responses: {
        200: { description: 'Ready', schema: z.object({ status: z.literal('ready'), checks: z.record(z.string(), z.literal('ok')) }) },
        503: { description: 'Not ready: `checks` says which dependency failed and why' },
      },
      handler: async () => {
        const [metadata, temporal] = await Promise.all([
          check(() => ctx.metadata.listRuns({ limit: 1 })),
          // A deadline on the call itself: the client's retries stop with it, none linger.
          check(() => ctx.client.withDeadline(Date.now() + CHECK_TIMEOUT_MS - 500, () => ctx.client.workflowService.getSystemInfo({}))),
        ]);
        const checks = { metadata: metadata ?? 'ok', temporal: temporal ?? 'ok' };
        if (metadata === undefined && temporal === undefined) return { body: { status: 'ready', checks } };
        const failed = [metadata !== undefined ? `the metadata store (${metadata})` : '', temporal !== undefined ? `the Temporal server (${temporal})` : '']
          .filter(Boolean)
          .join(' and ');
        throw new ApiProblem('unavailable', `not ready: ${failed} did not answer`, { extensions: { checks } });
      },
    }),
    defineRoute({
      method: 'get',
      path: '/metrics',
      access: 'public',
      operationId: 'prometheusMetrics',
      summary: 'Prometheus metrics (default process metrics and sluice_* series)',
      tags: ['operations'],
      responses: { 200: { description: 'Prometheus text exposition format', content: { 'text/plain': { schema: z.string() } } } },
      handler: async ({ res }) => {
        const text = await ctx.metrics.registry.metrics();
        res.setHeader('Content-Type', ctx.metrics.registry.contentType);
        res.send(text);
        return undefined;
      },
    }),
  ];
}
