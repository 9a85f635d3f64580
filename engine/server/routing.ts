/**
 * The server side of the route table: each endpoint of the API contract (engine/contract, `sluice/api`)
 * gets its implementation here — `implement('getRun', { handler })`. The contract's entry holds the
 * access level, the request schemas (path params, query, body: one zod object each) and the answers;
 * the same entry mounts the express route (authenticate → parse → validate every part → handle) and
 * registers the OpenAPI operation, so the document can never drift from what the server accepts. A
 * handler's reply is typed by the contract's answer schemas (a Date may stand for an instant string:
 * JSON writes it as one), and with `checkResponses` (the tests) it is also checked at run time.
 */
import express, { type Application, type Request, type RequestHandler, type Response } from 'express';
import type { OpenAPIRegistry, ResponseConfig } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { findUnstorableText, parseJsonText } from '../../dsl/ir/index';
import { apiRoutes, problemSchema, PROBLEM_CONTENT_TYPE, type ApiRole, type ApiRoutes, type Encodable, type EventMap, type OperationId, type RouteDef } from '../contract/index';
import { ApiProblem, jsonPointer, QUERY_TOKEN_KEY, zodFieldErrors, type FieldError } from './problem';

export type { Access } from '../contract/index';

/** Who makes the request. */
export interface Principal {
  name: string;
  role: ApiRole;
  /** The API token's id; absent while auth is off. */
  tokenId?: string;
}

const emptyObject = z.strictObject({});

/** A request part as the handler gets it: parsed by the route's schema (or empty when it has none). */
type Parsed<S> = S extends z.ZodType ? z.output<S> : Record<string, never>;

export interface RouteContext<R extends RouteDef> {
  params: Parsed<R['params']>;
  query: Parsed<R['query']>;
  body: Parsed<R['body']>;
  principal: Principal;
  req: Request;
  res: Response;
}

export type { Encodable };

type SuccessStatus<R extends RouteDef> = Extract<keyof R['responses'], 200 | 201 | 202 | 204>;
type ReplyBody<Spec> = Spec extends { schema: infer T extends z.ZodType } ? { body: Encodable<z.input<T>> } : { body?: undefined };

/** A JSON reply: one of the route's success answers (status 200 may be left out). */
export type ReplyOf<R extends RouteDef> = {
  [S in SuccessStatus<R>]: (S extends 200 ? { status?: 200 } : { status: S }) & ReplyBody<R['responses'][S]> & { headers?: Record<string, string> };
}[SuccessStatus<R>];

interface Reply {
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface RouteImplementation<R extends RouteDef> {
  /** Returns the JSON reply, or undefined when it wrote `res` itself (streams, downloads). */
  handler: (ctx: RouteContext<R>) => Promise<ReplyOf<R> | undefined>;
  /** Largest accepted body (default 5 MiB). */
  bodyLimit?: string;
  /** Keep the exact body bytes in `req.rawBody` (signed webhooks). */
  keepRawBody?: boolean;
}

/** An implemented route (the contract's entry and its handler), its types erased, for the table. */
export interface ApiRoute extends RouteDef {
  operationId: OperationId;
  handler: (ctx: RouteContext<RouteDef>) => Promise<Reply | undefined>;
  bodyLimit?: string;
  keepRawBody?: boolean;
}

/** Implements an operation of the contract; params, query, body and the reply are typed by its schemas. */
export function implement<K extends OperationId>(operationId: K, implementation: RouteImplementation<ApiRoutes[K]>): ApiRoute {
  const def: RouteDef = apiRoutes[operationId];
  return { ...def, operationId, ...(implementation as unknown as Pick<ApiRoute, 'handler' | 'bodyLimit' | 'keepRawBody'>) };
}

/** A reply or an event that its contract does not describe (found by `checkResponses`). */
export class ContractViolation extends Error {
  override readonly name = 'ContractViolation';
  readonly code = 'contract-violation';
}

/** Whether replies are checked against the contract at run time (tests; off in production). */
export interface MountOptions {
  checkResponses: boolean;
}

/** A reply's body as JSON carries it (Dates as strings), checked against the answer its status names. */
export function checkReply(route: ApiRoute, status: number, body: unknown): void {
  const spec = route.responses[status];
  if (!spec) throw new ContractViolation(`${route.operationId} answered ${status}, which its contract (engine/contract/routes.ts) does not list`);
  if (!spec.schema) {
    if (body !== undefined) throw new ContractViolation(`${route.operationId} answered ${status} with a body, which its contract does not describe`);
    return;
  }
  const wire: unknown = body === undefined ? undefined : JSON.parse(JSON.stringify(body));
  const parsed = spec.schema.safeParse(wire);
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new ContractViolation(`${route.operationId} answered ${status} with a body its contract does not describe: ${issues.join('; ')}`);
  }
}

/** The same for one server-sent event. */
export function checkEvent(events: EventMap, name: string, data: unknown): void {
  const schema = events[name];
  if (!schema) throw new ContractViolation(`an event stream sent "${name}", which its contract does not name`);
  const parsed = schema.safeParse(JSON.parse(JSON.stringify(data)));
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new ContractViolation(`the event "${name}" does not match its contract: ${issues.join('; ')}`);
  }
}

/** Who sends the request; `route` says whether the token may come in the query (event streams). */
export type Authenticate = (req: Request, route: Pick<ApiRoute, 'tokenInQuery'>) => Promise<Principal>;

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
export function mountRoutes(app: Application, routes: ApiRoute[], authenticate: Authenticate, options: MountOptions): void {
  for (const route of routes) {
    const def = route;
    const auth: RequestHandler = async (req, res, next) => {
      res.locals.route = def.path;
      if (def.access === 'public') {
        res.locals.principal = { name: 'anonymous', role: 'viewer' } satisfies Principal;
        next();
        return;
      }
      const principal = await authenticate(req, route);
      if (!roleAllows(principal.role, def.access)) {
        throw new ApiProblem(
          'forbidden',
          `${def.method.toUpperCase()} ${def.path} needs the ${def.access} role; the token "${principal.name}" has the ${principal.role} role`,
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
      const ctx = { params, query, body, principal: res.locals.principal as Principal, req, res } as RouteContext<RouteDef>;
      const reply = await route.handler(ctx);
      if (!reply) return;
      if (options.checkResponses) checkReply(route, reply.status ?? 200, reply.body);
      sendReply(res, reply);
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
  const patterns = routes.map((r) => ({ def: r, re: pathPattern(r.path) }));
  return (req) => {
    const path = req.originalUrl.split('?')[0] ?? '';
    const allowed = [...new Set(patterns.filter((p) => p.re.test(path)).map((p) => p.def.method.toUpperCase()))];
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

/**
 * A server-sent event stream in OpenAPI 3.0 terms: the stream is text, each of its events one
 * `event:`/`data:` block whose `data` is JSON; the schema describes one event (OpenAPI 3.2's
 * `itemSchema`, which 3.0 lacks).
 */
function eventStreamSchema(events: EventMap): z.ZodType {
  const one = Object.entries(events).map(([name, data]) =>
    z.object({ event: z.literal(name), id: z.string().meta({ description: 'Increasing; send it back as Last-Event-ID when reconnecting' }), data }),
  );
  return z.union(one as unknown as [z.ZodType, z.ZodType, ...z.ZodType[]]).meta({
    description: 'text/event-stream: one of these per event (`event:` its name, `id:`, `data:` its JSON payload), and `: heartbeat` comments',
  });
}

/** Registers every route as an OpenAPI operation (the same schemas that validate requests). */
export function registerRoutes(registry: OpenAPIRegistry, routes: ApiRoute[]): void {
  for (const def of routes) {
    const { operationId } = def;
    const responses: Record<string, ResponseConfig> = {};
    for (const [status, spec] of Object.entries(def.responses)) {
      const content: NonNullable<ResponseConfig['content']> = {};
      if (spec.schema) content['application/json'] = { schema: spec.schema };
      for (const [type, media] of Object.entries(spec.content ?? {})) content[type] = media.schema ? { schema: media.schema } : {};
      if (spec.events) content['text/event-stream'] = { schema: eventStreamSchema(spec.events) };
      responses[status] = { description: spec.description, ...(Object.keys(content).length ? { content } : {}) };
    }
    const refusals = [500];
    if (def.params || def.query || def.body || def.method !== 'get') refusals.push(400, 422);
    if (def.access !== 'public') refusals.push(401, 403);
    if (def.params) refusals.push(404);
    if (def.method !== 'get') refusals.push(413, 415);
    for (const status of refusals) {
      if (responses[status]) continue;
      responses[status] = { description: PROBLEM_RESPONSES[status] ?? 'Problem', content: { [PROBLEM_CONTENT_TYPE]: { schema: problemSchema } } };
    }
    for (const [status, spec] of Object.entries(responses)) {
      // Problems a route declares itself (404, 409, 422, …) are problem+json too.
      if (Number(status) >= 400 && !spec.content) spec.content = { [PROBLEM_CONTENT_TYPE]: { schema: problemSchema } };
    }
    const query = def.tokenInQuery
      ? (def.query ?? emptyObject).extend({
          [QUERY_TOKEN_KEY]: z.string().optional().meta({ description: 'API token, for EventSource clients and download links that cannot send an Authorization header' }),
        })
      : def.query;
    registry.registerPath({
      method: def.method,
      path: def.path.replace(/:(\w+)/g, '{$1}'),
      operationId,
      summary: def.summary,
      ...(def.description ? { description: def.description } : {}),
      tags: [...def.tags],
      ...(def.access === 'public' ? {} : { security: [{ bearerAuth: [] }] }),
      'x-required-role': def.access,
      request: {
        ...(def.params ? { params: def.params } : {}),
        ...(query ? { query } : {}),
        ...(def.body && def.method !== 'get'
          ? { body: { required: !def.body.safeParse({}).success, content: { 'application/json': { schema: def.body } } } }
          : {}),
      },
      responses,
    });
  }
}
