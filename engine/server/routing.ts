/**
 * The route table: each endpoint is one definition holding its access level, its request schemas
 * (path params, query, body: one zod object each) and its handler. The same definition mounts the
 * express route (authenticate → parse → validate every part → handle) and registers the OpenAPI
 * operation, so the document can never drift from what the server accepts.
 */
import express, { type Application, type Request, type RequestHandler, type Response } from 'express';
import type { OpenAPIRegistry, ResponseConfig } from '@asteasolutions/zod-to-openapi';
import type { ApiRole } from '../stores/metadata/index';
import { findUnstorableText, parseJsonText } from '../../dsl/ir/index';
import { ApiProblem, jsonPointer, PROBLEM_CONTENT_TYPE, QUERY_TOKEN_KEY, zodFieldErrors, type FieldError } from './problem';
import { z } from './openapi';
import { problemSchema } from './schemas';

export type Access = ApiRole | 'public';

/** Who makes the request. */
export interface Principal {
  name: string;
  role: ApiRole;
  /** The API token's id; absent while auth is off. */
  tokenId?: string;
}

export interface Reply {
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface RouteContext<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  principal: Principal;
  req: Request;
  res: Response;
}

const emptyObject = z.strictObject({});
type Empty = typeof emptyObject;

export interface ResponseSpec {
  description: string;
  /** JSON body (the default media type). */
  schema?: z.ZodType;
  /** Other media types, e.g. text/event-stream or application/octet-stream. */
  content?: Record<string, { schema?: z.ZodType }>;
}

export interface RouteDefinition<P extends z.ZodObject = Empty, Q extends z.ZodObject = Empty, B extends z.ZodType = Empty> {
  method: 'get' | 'post' | 'delete';
  /** Express style: `/api/runs/:runId`. */
  path: string;
  access: Access;
  operationId: string;
  summary: string;
  description?: string;
  tags: string[];
  params?: P;
  query?: Q;
  body?: B;
  /** Largest accepted body (default 5 MiB). */
  bodyLimit?: string;
  /** Server-sent event streams: the token may come as `?access_token=` (EventSource sends no headers). */
  tokenInQuery?: boolean;
  /** Keep the exact body bytes in `req.rawBody` (signed webhooks). */
  keepRawBody?: boolean;
  /** Success responses (problem responses are added from what the route can refuse). */
  responses: Record<number, ResponseSpec>;
  /** Returns the JSON reply, or undefined when it wrote `res` itself (streams, downloads). */
  handler: (ctx: RouteContext<z.output<P>, z.output<Q>, z.output<B>>) => Promise<Reply | undefined>;
}

/** A definition with its types erased, for the table. */
export interface ApiRoute {
  method: 'get' | 'post' | 'delete';
  path: string;
  access: Access;
  operationId: string;
  summary: string;
  description?: string;
  tags: string[];
  params?: z.ZodObject;
  query?: z.ZodObject;
  body?: z.ZodType;
  bodyLimit?: string;
  tokenInQuery?: boolean;
  keepRawBody?: boolean;
  responses: Record<number, ResponseSpec>;
  handler: (ctx: RouteContext<unknown, unknown, unknown>) => Promise<Reply | undefined>;
}

/** Declares an endpoint; the types of params, query and body flow from the schemas into the handler. */
export function defineRoute<P extends z.ZodObject = Empty, Q extends z.ZodObject = Empty, B extends z.ZodType = Empty>(
  def: RouteDefinition<P, Q, B>,
): ApiRoute {
  return def as unknown as ApiRoute;
}

export type Authenticate = (req: Request, route: ApiRoute) => Promise<Principal>;

const ROLE_RANK: Record<ApiRole, number> = { viewer: 0, editor: 1, admin: 2 };
export const roleAllows = (role: ApiRole, needed: ApiRole): boolean => ROLE_RANK[role] >= ROLE_RANK[needed];

/**
 * A body as JSON by the rules every JSON text Sluice reads follows (dsl/ir/parseIrJson): nesting
 * bounded before parsing, no repeated or "__proto__" keys. express.json would parse first and let
 * the last of two equal keys win, hiding a duplicated task id.
 */
function parseBodyText(text: string): unknown {
  const parsed = parseJsonText(text);
  if (parsed.ok) return parsed.value;
  const errors = parsed.problems.map((p) => ({ path: jsonPointer(['body', ...p.path]), code: p.code, message: p.message }));
  const first = parsed.problems[0];
  const detail =
    first?.code === 'too-deep' || first?.code === 'syntax'
      ? `the body ${first.code === 'syntax' ? `is ${first.message}` : first.message}`
      : `the body repeats or misuses keys: ${errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`.slice(0, 2000);
  throw new ApiProblem('bad-request', detail, { errors });
}

/** Text PostgreSQL cannot store, anywhere in the path parameters, the query or the body: one 422 naming each place. */
function checkStorableText(parts: [part: string, value: unknown][]): void {
  const errors: FieldError[] = [];
  for (const [part, value] of parts) {
    for (const p of findUnstorableText(value)) errors.push({ path: jsonPointer([part, ...p.path]), code: p.code, message: p.message });
  }
  if (errors.length) {
    throw new ApiProblem('invalid-text', `the request holds text that cannot be stored: ${errors.map((e) => `${e.path} ${e.message}`).join('; ')}`.slice(0, 2000), {
      errors,
    });
  }
}

function hasBody(req: Request): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

function sendReply(res: Response, reply: Reply): void {
  for (const [k, v] of Object.entries(reply.headers ?? {})) res.setHeader(k, v);
  res.status(reply.status ?? 200);
  if (reply.body === undefined) res.end();
  else res.json(reply.body);
}

/** Mounts every route on the app: authenticate, check the role, parse and validate, handle. */
export function mountRoutes(app: Application, routes: ApiRoute[], authenticate: Authenticate): void {
  for (const route of routes) {
    const auth: RequestHandler = async (req, res, next) => {
      res.locals.route = route.path;
      if (route.access === 'public') {
        res.locals.principal = { name: 'anonymous', role: 'viewer' } satisfies Principal;
        next();
        return;
      }
      const principal = await authenticate(req, route);
      if (!roleAllows(principal.role, route.access)) {
        throw new ApiProblem(
          'forbidden',
          `${route.method.toUpperCase()} ${route.path} needs the ${route.access} role; the token "${principal.name}" has the ${principal.role} role`,
        );
      }
      res.locals.principal = principal;
      next();
    };
    const mediaType: RequestHandler = (req, _res, next) => {
      if (hasBody(req) && !req.is('application/json')) {
        throw new ApiProblem('unsupported-media-type', `send the body as JSON (Content-Type: application/json), not ${req.headers['content-type'] ?? 'without a content type'}`, {
          errors: [{ path: '/headers/content-type', message: 'must be application/json' }],
        });
      }
      const charset = /;\s*charset\s*=\s*"?([^";\s]*)/i.exec(req.headers['content-type'] ?? '')?.[1]?.toLowerCase();
      if (charset !== undefined && !charset.startsWith('utf-')) {
        throw new ApiProblem('unsupported-media-type', `unsupported charset "${charset}": send JSON as UTF-8`, { errors: [{ path: '/headers/content-type', message: 'charset must be utf-8' }] });
      }
      next();
    };
    // The body as text (parsed below by the strict reader); signed webhooks also keep the bytes.
    const text = express.text({
      type: () => true,
      defaultCharset: 'utf-8',
      limit: route.bodyLimit ?? '5mb',
      ...(route.keepRawBody ? { verify: (req: Request, _res: Response, buf: Buffer) => void Object.assign(req, { rawBody: Buffer.from(buf) }) } : {}),
    });
    const json: RequestHandler = (req, _res, next) => {
      const body: unknown = req.body;
      req.body = typeof body === 'string' && body !== '' ? parseBodyText(body) : undefined;
      next();
    };
    const handle: RequestHandler = async (req, res) => {
      const errors: FieldError[] = [];
      const parse = (part: 'params' | 'query' | 'body', schema: z.ZodType | undefined, raw: unknown): unknown => {
        const result = (schema ?? emptyObject).safeParse(raw);
        if (result.success) return result.data;
        errors.push(...zodFieldErrors(part, result.error));
        return undefined;
      };
      const rawBody: unknown = req.body === undefined ? {} : req.body;
      // A signed webhook's body is its sender's: its receiver checks what it keeps of it.
      checkStorableText([['params', req.params], ['query', req.query], ...(route.keepRawBody || route.method === 'get' ? [] : [['body', rawBody] as [string, unknown]])]);
      const rawQuery = { ...(req.query as Record<string, unknown>) };
      if (route.tokenInQuery) delete rawQuery[QUERY_TOKEN_KEY];
      const params = parse('params', route.params, { ...req.params });
      const query = parse('query', route.query, rawQuery);
      const body = route.method === 'get' ? undefined : parse('body', route.body, rawBody);
      if (errors.length) {
        throw new ApiProblem('validation', `${errors.length} problem${errors.length === 1 ? '' : 's'} in the request: ${errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`.slice(0, 2000), { errors });
      }
      const reply = await route.handler({ params, query, body, principal: res.locals.principal as Principal, req, res });
      if (reply) sendReply(res, reply);
    };
    const chain = route.method === 'get' ? [auth, handle] : [auth, mediaType, text, json, handle];
    app[route.method](route.path, ...chain);
  }
}

/** `/api/runs/:runId` → a regexp matching concrete paths (segments without "/"). */
function pathPattern(path: string): RegExp {
  const source = path
    .split('/')
    .map((seg) => (seg.startsWith(':') ? '[^/]+' : seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('/');
  return new RegExp(`^${source}/?$`);
}

/** After the routes: 405 with Allow for a known path and another method, else 404, as problems. */
export function unmatchedRoute(routes: ApiRoute[]): RequestHandler {
  const patterns = routes.map((r) => ({ route: r, re: pathPattern(r.path) }));
  return (req) => {
    const path = req.originalUrl.split('?')[0] ?? '';
    const allowed = [...new Set(patterns.filter((p) => p.re.test(path)).map((p) => p.route.method.toUpperCase()))];
    if (allowed.length) {
      if (allowed.includes('GET')) allowed.push('HEAD');
      throw new ApiProblem('method-not-allowed', `${req.method} is not allowed on ${path}; allowed: ${allowed.join(', ')}`, {
        headers: { Allow: allowed.join(', ') },
      });
    }
    throw new ApiProblem('not-found', `no endpoint ${req.method} ${path}; the API reference is at /api/docs (document: /api/openapi.json)`);
  };
}

const PROBLEM_RESPONSES: Record<number, string> = {
  400: 'The request does not match the schema: `errors` names each offending field.',
  401: 'No valid API token.',
  403: 'The token’s role does not allow this operation.',
  404: 'A named resource does not exist.',
  409: 'The resource is not in a state that allows this.',
  413: 'The body is too large.',
  415: 'The body is not JSON.',
  422: 'The content is well formed but invalid (pipeline IR, run parameters, text that cannot be stored such as NUL).',
  500: 'The server failed; the detail names an error id to find in its log.',
};

/** Registers every route as an OpenAPI operation (the same schemas that validate requests). */
export function registerRoutes(registry: OpenAPIRegistry, routes: ApiRoute[]): void {
  for (const route of routes) {
    const responses: Record<string, ResponseConfig> = {};
    for (const [status, spec] of Object.entries(route.responses)) {
      const content: NonNullable<ResponseConfig['content']> = {};
      if (spec.schema) content['application/json'] = { schema: spec.schema };
      for (const [type, media] of Object.entries(spec.content ?? {})) content[type] = media.schema ? { schema: media.schema } : {};
      responses[status] = { description: spec.description, ...(Object.keys(content).length ? { content } : {}) };
    }
    const refusals = [500];
    if (route.params || route.query || route.body || route.method !== 'get') refusals.push(400, 422);
    if (route.access !== 'public') refusals.push(401, 403);
    if (route.params) refusals.push(404);
    if (route.method !== 'get') refusals.push(413, 415);
    for (const status of refusals) {
      if (responses[status]) continue;
      responses[status] = { description: PROBLEM_RESPONSES[status] ?? 'Problem', content: { [PROBLEM_CONTENT_TYPE]: { schema: problemSchema } } };
    }
    for (const [status, spec] of Object.entries(responses)) {
      // Problems a route declares itself (409, 422, …) are problem+json too.
      if (Number(status) >= 400 && !spec.content) spec.content = { [PROBLEM_CONTENT_TYPE]: { schema: problemSchema } };
    }
    const query = route.tokenInQuery
      ? (route.query ?? emptyObject).extend({
          [QUERY_TOKEN_KEY]: z.string().optional().openapi({ description: 'API token, for EventSource clients that cannot send an Authorization header (once)' }),
        })
      : route.query;
    registry.registerPath({
      method: route.method,
      path: route.path.replace(/:(\w+)/g, '{$1}'),
      operationId: route.operationId,
      summary: route.summary,
      ...(route.description ? { description: route.description } : {}),
      tags: route.tags,
      ...(route.access === 'public' ? {} : { security: [{ bearerAuth: [] }] }),
      'x-required-role': route.access,
      request: {
        ...(route.params ? { params: route.params } : {}),
        ...(query ? { query } : {}),
        ...(route.body && route.method !== 'get'
          ? { body: { required: !route.body.safeParse({}).success, content: { 'application/json': { schema: route.body } } } }
          : {}),
      },
      responses,
    });
  }
}
