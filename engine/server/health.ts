/** `/healthz` (the process answers), `/readyz` (the metadata store and Temporal answer), `/metrics`, `/api/info`. */
import type { ApiContext } from './context';
import { ApiProblem } from './problem';
import { implement, type ApiRoute } from './routing';

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
    implement('health', {
      handler: async () => ({ body: { status: 'ok' as const } }),
    }),
    implement('ready', {
      handler: async () => {
        const [metadata, temporal] = await Promise.all([
          check(() => ctx.metadata.listRuns({ limit: 1 })),
          // A deadline on the call itself: the client's retries stop with it, none linger.
          check(() => ctx.client.withDeadline(Date.now() + CHECK_TIMEOUT_MS - 500, () => ctx.client.workflowService.getSystemInfo({}))),
        ]);
        if (metadata === undefined && temporal === undefined) return { body: { status: 'ready' as const, checks: { metadata: 'ok' as const, temporal: 'ok' as const } } };
        const checks = { metadata: metadata ?? 'ok', temporal: temporal ?? 'ok' };
        const failed = [metadata !== undefined ? `the metadata store (${metadata})` : '', temporal !== undefined ? `the Temporal server (${temporal})` : '']
          .filter(Boolean)
          .join(' and ');
        throw new ApiProblem('unavailable', `not ready: ${failed} did not answer`, { extensions: { checks } });
      },
    }),
    implement('serverInfo', {
      handler: async () => ({
        body: { temporalUi: ctx.temporalUiUrl ? { url: ctx.temporalUiUrl, namespace: ctx.client.options.namespace } : null },
      }),
    }),
    implement('prometheusMetrics', {
      handler: async ({ res }) => {
        const text = await ctx.metrics.registry.metrics();
        res.setHeader('Content-Type', ctx.metrics.registry.contentType);
        res.send(text);
        return undefined;
      },
    }),
  ];
}
