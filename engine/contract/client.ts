/**
 * A typed client of the API, built from the route table alone (tRPC's idea: a client needs only the
 * types): one method per operation, `client.getRun({ params: { runId } })`, whose request and answer
 * types are inferred from the route's schemas. Answers are checked against the contract (an answer it
 * does not describe is an `ApiError` with code `bad-response`, not wrong data further on); problem
 * documents become an `ApiError` with the problem's code, status and field errors.
 *
 * Runs wherever `fetch` exists (browsers, Node ≥ 18); it names no DOM or Node type, so the editor, the
 * CLI and the tests share it.
 */
import type { z } from 'zod';
import type { EventData, EventMap } from './events';
import { ApiError, apiErrorFromResponse } from './problem';
import { fillPath, queryString, type EventsOf, type RequestOf, type ResponseOf, type RouteDef } from './route';
import { apiRoutes, type ApiRoutes, type OperationId } from './routes';

/** The part of an HTTP answer the client reads (a fetch Response has it). */
export interface ResponseLike {
  readonly status: number;
  readonly ok: boolean;
  text(): Promise<string>;
}

/** What the client needs of `fetch`: `globalThis.fetch` fits, so does a test double. */
export type FetchLike = (url: string, init: { method: string; headers: Record<string, string>; body?: string }) => Promise<ResponseLike>;

export interface ApiClientOptions {
  /** The server, e.g. `http://127.0.0.1:8080`; '' for the page's own origin (the editor). */
  baseUrl: string;
  /** An API token, or a function that gives the current one (read at each call). */
  token?: string | (() => string | undefined);
  /** Default: the global fetch. */
  fetch?: FetchLike;
}

/** Extra headers for one call (e.g. a webhook's signature). */
export interface CallOptions {
  headers?: Record<string, string>;
}

type SuccessSpecs<R extends RouteDef> = R['responses'][Extract<keyof R['responses'], 200 | 201 | 202 | 204>];
/** Operations answered with JSON (or nothing): streams, downloads and text are reached by `url()`. */
export type JsonOperation = {
  [K in OperationId]: [Extract<SuccessSpecs<ApiRoutes[K]>, { events: EventMap } | { content: object }>] extends [never] ? K : never;
}[OperationId];

type Call<R extends RouteDef> =
  Record<string, never> extends RequestOf<R>
    ? (request?: RequestOf<R> & CallOptions) => Promise<ResponseOf<R>>
    : (request: RequestOf<R> & CallOptions) => Promise<ResponseOf<R>>;

export type ApiClient = { readonly [K in JsonOperation]: Call<ApiRoutes[K]> } & {
  /** The server's address as given ('' for the page's origin). */
  readonly baseUrl: string;
  /**
   * The URL of an operation, for what is not a JSON call: an EventSource, a download link. Routes
   * that accept it carry the token in the query (`access_token`), since those cannot send headers.
   */
  url<K extends OperationId>(operation: K, request: RequestOf<ApiRoutes[K]>): string;
  /** The events of a stream operation, to check each one with `readStreamEvent`. */
  events<K extends StreamOperation>(operation: K): EventsOf<ApiRoutes[K]>;
};

/** Operations answered with a server-sent event stream. */
export type StreamOperation = {
  [K in OperationId]: ApiRoutes[K]['responses'] extends { 200: { events: EventMap } } ? K : never;
}[OperationId];

type ResponseDefLike = RouteDef['responses'][number];

/** The request any operation takes, with its types erased (the typed methods check them). */
interface AnyRequest extends CallOptions {
  params?: Record<string, string>;
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
}

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** The first issues of a failed parse, each with its path: "runs.0.status: Invalid option". */
function issuesText(error: z.ZodError): string {
  const shown = error.issues.slice(0, 3).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
  return shown.join('; ') + (error.issues.length > 3 ? `; … (${error.issues.length} issues)` : '');
}

export function createApiClient(options: ApiClientOptions): ApiClient {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const token = (): string | undefined => (typeof options.token === 'function' ? options.token() : options.token);
  const globalFetch = (globalThis as { fetch?: FetchLike }).fetch;
  // Called as a plain function: a browser's fetch refuses to run as a method of another object.
  const doFetch: FetchLike =
    options.fetch ??
    ((url, init) => {
      if (!globalFetch) throw new Error('this runtime has no fetch: pass one to createApiClient');
      return globalFetch(url, init);
    });

  async function call(operation: OperationId, request: AnyRequest = {}): Promise<unknown> {
    const route: RouteDef = apiRoutes[operation];
    const path = fillPath(route.path, request.params) + queryString(request.query);
    const what = `${route.method.toUpperCase()} ${path}`;
    const headers: Record<string, string> = { accept: 'application/json', ...request.headers };
    const current = token();
    if (current) headers.authorization = `Bearer ${current}`;
    let body: string | undefined;
    if (route.method === 'post' || request.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(request.body ?? {});
    }
    let res: ResponseLike;
    try {
      res = await doFetch(baseUrl + path, { method: route.method.toUpperCase(), headers, ...(body !== undefined ? { body } : {}) });
    } catch (e) {
      throw new ApiError('unreachable', 0, `cannot reach the Sluice API at ${baseUrl || 'this page’s server'} (${what}): ${message(e)}`, [], undefined, e);
    }
    const text = await res.text();
    if (!res.ok) throw apiErrorFromResponse(res.status, text, what);
    const spec = route.responses[res.status];
    if (!spec) throw new ApiError('bad-response', res.status, `${what}: HTTP ${res.status} is not an answer the API contract lists for ${operation}`);
    if (!spec.schema) return undefined;
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch {
      throw new ApiError('bad-response', res.status, `${what}: the answer is not JSON (${text.slice(0, 100)})`);
    }
    const parsed = spec.schema.safeParse(data);
    if (!parsed.success) {
      throw new ApiError('bad-response', res.status, `${what}: the answer does not match the API contract (is the server another version?): ${issuesText(parsed.error)}`);
    }
    return parsed.data;
  }

  const url = (operation: OperationId, request: AnyRequest = {}): string => {
    const route: RouteDef = apiRoutes[operation];
    const current = route.tokenInQuery ? token() : undefined;
    return baseUrl + fillPath(route.path, request.params) + queryString({ ...request.query, ...(current ? { access_token: current } : {}) });
  };

  const events = (operation: OperationId): EventMap => {
    const answer: ResponseDefLike | undefined = (apiRoutes[operation].responses as Readonly<Record<number, ResponseDefLike>>)[200];
    if (!answer?.events) throw new Error(`${operation} is not an event stream`);
    return answer.events;
  };

  const methods: Record<string, (request?: AnyRequest) => Promise<unknown>> = {};
  for (const operation of Object.keys(apiRoutes) as OperationId[]) methods[operation] = (request) => call(operation, request);
  return { ...methods, baseUrl, url, events } as unknown as ApiClient;
}

/**
 * The payload of one server-sent event, checked against the stream's contract; an event the contract
 * does not name, or a payload it does not describe, is an `ApiError` (`bad-response`).
 */
export function readStreamEvent<E extends EventMap, K extends keyof E & string>(events: E, name: K, data: string): EventData<E>[K] {
  const schema = events[name];
  if (!schema) throw new ApiError('bad-response', 200, `the event stream sent an event "${name}" that the API contract does not name`);
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    throw new ApiError('bad-response', 200, `the event "${name}" carries no JSON: ${data.slice(0, 100)}`);
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new ApiError('bad-response', 200, `the event "${name}" does not match the API contract: ${issuesText(parsed.error)}`);
  return parsed.data as EventData<E>[K];
}
