/**
 * What a route of the API is, for the server (which implements it: engine/server/routing.ts) and for
 * clients (which call it: client.ts): method, path, who may call it, one zod schema each for the
 * path parameters, the query and the body, and the schema of each answer. The types of a call —
 * what to send, what comes back — are inferred from these, never written twice.
 */
import type { z } from 'zod';
import type { ApiRole } from './common';
import type { EventMap } from './events';

export type Access = ApiRole | 'public';

export interface ResponseDef {
  description: string;
  /** JSON body (the default media type). For a status ≥ 400 without a schema: a problem document. */
  schema?: z.ZodType;
  /** Other media types, e.g. application/octet-stream. */
  content?: Readonly<Record<string, { schema?: z.ZodType }>>;
  /** A server-sent event stream (text/event-stream): the payload of each event by name. */
  events?: EventMap;
}

export interface RouteDef {
  method: 'get' | 'post' | 'patch' | 'delete';
  /** Express style: `/api/runs/:runId`. */
  path: string;
  access: Access;
  summary: string;
  description?: string;
  tags: readonly string[];
  params?: z.ZodObject;
  query?: z.ZodObject;
  body?: z.ZodType;
  /** Server-sent event streams and downloads: the token may come as `?access_token=` (EventSource and links send no headers). */
  tokenInQuery?: boolean;
  /** The answers by status. Problems every route may give (400, 401, 403, 404 for a path id, 413, 415, 500) are added by the server. */
  responses: Readonly<Record<number, ResponseDef>>;
}

type Input<S> = S extends z.ZodType ? z.input<S> : never;

/** A free-text query value may be given as a number; it travels as text. */
type QueryValue<V> = V extends string ? (string extends V ? V | number : V) : V;
type QueryInput<Q> = { [K in keyof Q]: QueryValue<Q[K]> };

/** What a call of the route sends: `params` when the path has some, `query`, `body` (optional when every field is). */
export type RequestOf<R extends RouteDef> = (R['params'] extends z.ZodType ? { params: Input<R['params']> } : { params?: undefined }) &
  (R['query'] extends z.ZodType
    ? Record<string, never> extends Input<R['query']>
      ? { query?: QueryInput<Input<R['query']>> }
      : { query: QueryInput<Input<R['query']>> }
    : { query?: undefined }) &
  (R['body'] extends z.ZodType ? (Record<string, never> extends Input<R['body']> ? { body?: Input<R['body']> } : { body: Input<R['body']> }) : { body?: undefined });

type SuccessStatus<R extends RouteDef> = Extract<keyof R['responses'], 200 | 201 | 202 | 204>;

/** The JSON answer of a successful call (the union over its success statuses); undefined for 204. */
export type ResponseOf<R extends RouteDef> = {
  [S in SuccessStatus<R>]: R['responses'][S] extends { schema: infer T extends z.ZodType } ? z.output<T> : undefined;
}[SuccessStatus<R>];

/**
 * What a record may be for a wire type (a server's reply, the CLI's local records): the type itself, where any string may also be a Date
 * (`res.json` writes its ISO form), so store records with Dates fit the contract's instants.
 */
export type Encodable<W> = W extends string
  ? W | Date
  : W extends readonly (infer E)[]
    ? readonly Encodable<E>[]
    : W extends object
      ? { [K in keyof W]: Encodable<W[K]> }
      : W;

/** The events of a stream route. */
export type EventsOf<R extends RouteDef> = R['responses'][200] extends { events: infer E extends EventMap } ? E : never;

/** `/api/runs/:runId` with `{ runId: 'a b' }` → `/api/runs/a%20b`. */
export function fillPath(path: string, params: Readonly<Record<string, string>> | undefined): string {
  return path.replace(/:(\w+)/g, (_, name: string) => {
    const value = params?.[name];
    if (value === undefined) throw new Error(`path ${path} needs the parameter "${name}"`);
    return encodeURIComponent(value);
  });
}

/** `?a=1&b=x` from the defined values (empty when none). */
export function queryString(query: Readonly<Record<string, string | number | boolean | undefined>> | undefined): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(query ?? {})) {
    if (v === undefined) continue;
    parts.push(`${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`);
  }
  return parts.length ? `?${parts.join('&')}` : '';
}
