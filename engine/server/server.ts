/**
 * The HTTP API server (express 5) under `/api`, plus `/healthz`, `/readyz` and `/metrics`.
 *
 *   const api = createApiServer({ metadata, artifacts, client, registry, taskQueuePrefix, auth: { enabled: false } });
 *   const running = await api.listen({ host: '127.0.0.1', port: 8080 });   // or startApiServer({...deps, host, port})
 *   console.log(running.url); … await running.close();
 *
 * Auth may be off only on loopback: `listen()` on any other address with auth off refuses to start.
 * The OpenAPI document (/api/openapi.json, browsable at /api/docs) is generated from the route table.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Client } from '@temporalio/client';
import express, { type Application } from 'express';
import type { Registry } from 'prom-client';
import swaggerUi from 'swagger-ui-express';
import type { ArtifactStore } from '../stores/artifacts/index';
import { createLogger, type Logger } from '../logging';
import { CodedError } from '../errors';
import type { MetadataStore } from '../stores/metadata/index';
import { artifactRoutes } from './artifacts';
import { tokenAuthenticator, type AuthOptions } from './auth';
import { componentRoutes } from './components';
import type { ApiContext } from './context';
import { experimentRoutes } from './experiments';
import { modelRoutes } from './models';
import { healthRoutes } from './health';
import { lineageRoutes } from './lineage';
import { logRoutes } from './logs';
import { metricRoutes } from './metrics';
import { studyRoutes } from './studies';
import { MLFLOW_PREFIX, mlflowRouter } from './mlflow/index';
import { generateOpenApiDocument, newOpenApiRegistry, type OpenApiDocument } from './openapi';
import { pipelineRoutes } from './pipelines';
import { PROBLEM_CONTENT_TYPE, PROBLEM_TYPES, problemErrorHandler, problemTypeUri } from './problem';
import { createApiMetrics } from './prometheus';
import { implement, mountRoutes, registerRoutes, unmatchedRoute, type ApiRoute } from './routing';
import { runEventRoutes } from './runEvents';
import { runRoutes } from './runs';
import { trackingRoutes } from './tracking';
import { DEFAULT_LIVE_SETTINGS, EventStreams, type LiveSettings } from './sse';
import { scheduleRoutes } from './schedules';
import { tokenRoutes } from './tokens';
import { triggerRoutes } from './triggers';
import { workerRoutes } from './workers';
import type { ComponentRegistry } from '../temporal/activities/index';

export const DEFAULT_API_HOST = '127.0.0.1';
export const DEFAULT_API_PORT = 8080;

export interface ApiServerDeps {
  metadata: MetadataStore;
  artifacts: ArtifactStore;
  /** Temporal client: starts, queries, cancels and updates run workflows. */
  client: Client;
  /** The components the workers can run (the catalog). */
  registry: ComponentRegistry;
  /** Task queue prefix of the workers (EmbeddedStack.taskQueuePrefix). */
  taskQueuePrefix: string;
  /** Tokens from the metadata store; `enabled: false` only on loopback. */
  auth: AuthOptions;
  logger?: Logger;
  /** Event stream polling and heartbeat intervals. */
  live?: Partial<LiveSettings>;
  /** Register the metrics here (to share /metrics with other parts of the process). */
  metricsRegistry?: Registry;
  /**
   * Check every reply and server-sent event against the contract (engine/contract) and answer 500 /
   * end the stream when one does not match. For tests (default: SLUICE_API_CHECK_RESPONSES=1, which
   * vitest.config.ts sets); it parses every answer again, so production leaves it off.
   */
  checkResponses?: boolean;
  /**
   * Mounts more handlers on the app after the API's routes and before its 404 and error handlers,
   * e.g. the editor's static files on the same port.
   */
  extend?: (app: Application) => void;
  /** The Temporal Web UI's base URL, when one is served (`sluice dev --temporal-ui`): runs link to it. */
  temporalUiUrl?: string;
}

export interface RunningApiServer {
  /** e.g. http://127.0.0.1:8080 */
  url: string;
  host: string;
  port: number;
  server: Server;
  /** Ends the event streams and open connections, then stops listening. */
  close(): Promise<void>;
}

export interface ApiServer {
  app: Application;
  openApiDocument: OpenApiDocument;
  routes: readonly ApiRoute[];
  listen(options?: { host?: string; port?: number }): Promise<RunningApiServer>;
}

/** The server cannot start as configured (auth off on a public address, port taken, …). */
export type ApiServerErrorCode = 'insecure-bind' | 'token-store-unreadable' | 'port-in-use' | 'cannot-listen';

export class ApiServerError extends CodedError<ApiServerErrorCode> {
  override readonly name = 'ApiServerError';
}

/** True for addresses only this machine can reach. A name other than "localhost" is not trusted. */
export function isLoopbackHost(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/^\[(.*)\]$/, '$1');
  return h === 'localhost' || h === '::1' || /^127(?:\.\d{1,3}){3}$/.test(h) || /^::ffff:127(?:\.\d{1,3}){3}$/.test(h);
}

export function createApiServer(deps: ApiServerDeps): ApiServer {
  const logger = deps.logger ?? createLogger({ name: 'sluice-api' });
  const streams = new EventStreams();
  const metrics = createApiMetrics(deps.metadata, logger, () => streams.size, deps.metricsRegistry, { client: deps.client, taskQueuePrefix: deps.taskQueuePrefix });
  const ctx: ApiContext = {
    metadata: deps.metadata,
    artifacts: deps.artifacts,
    client: deps.client,
    registry: deps.registry,
    taskQueuePrefix: deps.taskQueuePrefix,
    logger,
    metrics,
    live: { ...DEFAULT_LIVE_SETTINGS, ...deps.live },
    streams,
    checkResponses: deps.checkResponses ?? process.env.SLUICE_API_CHECK_RESPONSES === '1',
    temporalUiUrl: deps.temporalUiUrl,
  };

  const docRoute = (document: () => OpenApiDocument): ApiRoute => implement('openApiDocument', { handler: async () => ({ body: { ...document() } }) });

  const doc: { value?: OpenApiDocument } = {};
  // Streams first: /api/runs/events must win over /api/runs/:runId.
  const routes: ApiRoute[] = [
    ...healthRoutes(ctx),
    docRoute(() => doc.value as OpenApiDocument),
    ...runEventRoutes(ctx),
    ...pipelineRoutes(ctx),
    // Before runs: /api/runs/compare must win over /api/runs/:runId.
    ...trackingRoutes(ctx),
    ...runRoutes(ctx),
    ...logRoutes(ctx),
    ...metricRoutes(ctx),
    ...studyRoutes(ctx),
    ...lineageRoutes(ctx),
    ...artifactRoutes(ctx),
    ...experimentRoutes(ctx),
    ...modelRoutes(ctx),
    ...componentRoutes(ctx),
    ...tokenRoutes(ctx),
    ...scheduleRoutes(ctx),
    ...triggerRoutes(ctx),
    ...workerRoutes(ctx),
  ];
  const registry = newOpenApiRegistry();
  registerRoutes(registry, routes);
  const openApiDocument = generateOpenApiDocument(registry);
  doc.value = openApiDocument;

  const app = express();
  app.disable('x-powered-by');
  app.use(metrics.middleware);
  // The reference page: swagger-ui's own assets, served from node_modules (no CDN).
  app.get('/api/docs', (req, res, next) => {
    if (!req.originalUrl.split('?')[0]?.endsWith('/')) res.redirect(301, '/api/docs/');
    else next();
  });
  app.use('/api/docs', ...swaggerUi.serveFiles(openApiDocument, {}), swaggerUi.setup(openApiDocument, { customSiteTitle: 'Sluice API' }));
  const authenticate = tokenAuthenticator(deps.metadata, deps.auth, logger);
  mountRoutes(app, routes, authenticate, { checkResponses: ctx.checkResponses });
  // MLflow's tracking API for its own clients (MLFLOW_TRACKING_URI=<url>/mlflow), same tokens.
  app.use(MLFLOW_PREFIX, mlflowRouter(ctx, authenticate));
  deps.extend?.(app);
  app.use(unmatchedRoute(routes));
  app.use(problemErrorHandler(logger));

  const listen = async (options: { host?: string; port?: number } = {}): Promise<RunningApiServer> => {
    const host = options.host ?? DEFAULT_API_HOST;
    const port = options.port ?? DEFAULT_API_PORT;
    if (!deps.auth.enabled && !isLoopbackHost(host)) {
      throw new ApiServerError(
        'insecure-bind',
        `refusing to listen on ${host}:${port} with authentication off: without API tokens the API may serve only loopback addresses ` +
          '(127.0.0.1, ::1, localhost). Turn auth on and create a token (`sluice tokens create --role admin --name <you>`), or listen on 127.0.0.1.',
      );
    }
    if (deps.auth.enabled) {
      let active: number;
      try {
        active = (await deps.metadata.listApiTokens()).filter((t) => !t.revokedAt).length;
      } catch (e) {
        throw new ApiServerError('token-store-unreadable', `authentication is on but the token store (the metadata store) cannot be read: ${e instanceof Error ? e.message : String(e)}`, true);
      }
      if (active === 0) logger.warn('authentication is on and no API token exists yet: create one with `sluice tokens create --role admin --name <you>`');
    }
    const server = createServer(app);
    await new Promise<void>((resolve, reject) => {
      const onError = (e: NodeJS.ErrnoException): void => {
        reject(
          e.code === 'EADDRINUSE'
            ? new ApiServerError('port-in-use', `cannot listen on ${host}:${port}: the port is in use (choose another port)`)
            : new ApiServerError('cannot-listen', `cannot listen on ${host}:${port}: ${e.message}`),
        );
      };
      server.once('error', onError);
      // Requests Node's HTTP parser refuses (headers or URL over 16 KiB, broken syntax) never reach
      // express: answer them as problems too, not with a bare status line.
      server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
        if (!socket.writable) {
          socket.destroy();
          return;
        }
        const tooLarge = err.code === 'HPE_HEADER_OVERFLOW';
        const status = tooLarge ? 431 : 400;
        const body = JSON.stringify({
          type: problemTypeUri('bad-request'),
          title: tooLarge ? 'Request header fields too large' : PROBLEM_TYPES['bad-request'].title,
          status,
          detail: tooLarge ? 'the request line and headers are larger than 16 KiB; send large input in a JSON body' : 'the HTTP request could not be parsed',
        });
        socket.end(
          `HTTP/1.1 ${status} ${tooLarge ? 'Request Header Fields Too Large' : 'Bad Request'}\r\n` +
            `Content-Type: ${PROBLEM_CONTENT_TYPE}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
        );
      });
      server.listen(port, host, () => {
        server.off('error', onError);
        resolve();
      });
    });
    const address = server.address() as AddressInfo;
    const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    let closing: Promise<void> | undefined;
    return {
      url: `http://${shownHost}:${address.port}`,
      host: address.address,
      port: address.port,
      server,
      close: () => {
        closing ??= new Promise<void>((resolve) => {
          streams.closeAll();
          server.close(() => resolve());
          server.closeIdleConnections();
          // Requests still in flight get a moment to finish; then their connections go too.
          setTimeout(() => server.closeAllConnections(), 2000).unref();
        });
        return closing;
      },
    };
  };

  return { app, openApiDocument, routes, listen };
}

/** Creates the server and listens (default 127.0.0.1:8080): what `sluice dev` and the compose service call. */
export async function startApiServer(options: ApiServerDeps & { host?: string; port?: number }): Promise<RunningApiServer> {
  const { host, port, ...deps } = options;
  return createApiServer(deps).listen({ ...(host !== undefined ? { host } : {}), ...(port !== undefined ? { port } : {}) });
}
