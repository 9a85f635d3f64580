/**
 * Errors of the HTTP API as `application/problem+json` (RFC 9457; the types are the contract's,
 * engine/contract/problem.ts): `type`, `title`, `status`,
 * `detail`, and `errors: [{ path, message }]` naming each offending field as a JSON Pointer into the
 * request (`/body/params/epochs`, `/query/limit`, `/params/runId`). Never a stack trace: anything
 * that is not an ApiProblem becomes a 500 whose detail says where to look (the server log).
 */
import { randomUUID } from 'node:crypto';
import type { ErrorRequestHandler, Response } from 'express';
import type { z } from 'zod';
import { jsonPointer } from '../../dsl/ir/index';
import { PROBLEM_CONTENT_TYPE, PROBLEM_TYPES, problemTypeUri, type FieldError, type Problem, type ProblemType } from '../contract/index';
import type { Logger } from '../logging';

export { PROBLEM_CONTENT_TYPE, PROBLEM_TYPES, problemTypeUri, type FieldError, type ProblemType } from '../contract/index';

/** A problem document as the server writes it (the contract's Problem, extensions included). */
export type ProblemBody = Problem;

/** Throw from a handler: the error middleware answers with it as problem+json. */
export class ApiProblem extends Error {
  override readonly name = 'ApiProblem';
  readonly status: number;
  /** The problem type is the code. */
  get code(): ProblemType {
    return this.type;
  }
  constructor(
    readonly type: ProblemType,
    readonly detail: string,
    readonly options: { errors?: FieldError[]; status?: number; headers?: Record<string, string>; extensions?: Record<string, unknown> } = {},
  ) {
    super(detail);
    this.status = options.status ?? PROBLEM_TYPES[type].status;
  }

  body(instance?: string): ProblemBody {
    return {
      type: problemTypeUri(this.type),
      title: PROBLEM_TYPES[this.type].title,
      status: this.status,
      detail: this.detail,
      ...(instance !== undefined ? { instance } : {}),
      ...(this.options.errors?.length ? { errors: this.options.errors } : {}),
      ...this.options.extensions,
    };
  }
}

export const notFound = (detail: string, path?: string): ApiProblem =>
  new ApiProblem('not-found', detail, path ? { errors: [{ path, message: detail }] } : {});
export const conflict = (detail: string): ApiProblem => new ApiProblem('conflict', detail);

/** A JSON Pointer (RFC 6901) from path segments; one definition for every boundary. */
export { jsonPointer };

/** Field errors of a failed zod parse of one request part (`body`, `query`, `params`). */
export function zodFieldErrors(part: string, error: z.ZodError): FieldError[] {
  const out: FieldError[] = [];
  for (const issue of error.issues) {
    const base = [part, ...issue.path];
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) out.push({ path: jsonPointer([...base, key]), message: `unknown field "${key}"` });
    } else {
      out.push({ path: jsonPointer(base), message: issue.message });
    }
  }
  return out;
}

/** The one query key that may carry an API token (event streams and download links cannot send headers). */
export const QUERY_TOKEN_KEY = 'access_token';

/** A raw query key as the URL parser decodes it (`access%5Ftoken` → `access_token`); undefined if it cannot be decoded. */
export function decodedQueryKey(raw: string): string | undefined {
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' '));
  } catch {
    return undefined;
  }
}

/** Keys masked in logs: every spelling that decodes to the token key, and near spellings (case, brackets, spaces). */
function looksLikeTokenKey(raw: string): boolean {
  const key = decodedQueryKey(raw) ?? raw;
  return key.toLowerCase().replace(/[^a-z0-9]/g, '').startsWith('accesstoken');
}

/**
 * A request URL fit for logs and problem documents: the value of any query parameter whose key is,
 * or looks like, `access_token` is masked, however the key is spelled or percent-encoded.
 */
export function redactedUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const hash = url.indexOf('#', q);
  const query = url.slice(q + 1, hash < 0 ? undefined : hash);
  const masked = query
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const key = eq < 0 ? pair : pair.slice(0, eq);
      return eq >= 0 && looksLikeTokenKey(key) ? `${key}=[redacted]` : pair;
    })
    .join('&');
  return `${url.slice(0, q + 1)}${masked}${hash < 0 ? '' : url.slice(hash)}`;
}

export function sendProblem(res: Response, problem: ApiProblem, instance?: string): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  for (const [k, v] of Object.entries(problem.options.headers ?? {})) res.setHeader(k, v);
  res.status(problem.status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(problem.body(instance)));
}

/** Errors thrown by express's own middleware (body parser) carry an HTTP status and a type. */
interface HttpError {
  status?: number;
  statusCode?: number;
  type?: string;
  expose?: boolean;
  message?: string;
}

function fromHttpError(e: HttpError): ApiProblem | undefined {
  const status = e.status ?? e.statusCode;
  if (typeof status !== 'number' || status < 400 || status >= 500) return undefined;
  switch (e.type ?? '') {
    case 'entity.parse.failed':
      return new ApiProblem('bad-request', `the body is not valid JSON: ${e.message ?? 'parse error'}`, { errors: [{ path: '/body', message: 'not valid JSON' }] });
    case 'entity.too.large':
      return new ApiProblem('payload-too-large', `the body is larger than this endpoint accepts (${e.message ?? 'too large'})`, {
        errors: [{ path: '/body', message: 'too large' }],
      });
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new ApiProblem('unsupported-media-type', e.message ?? 'unsupported body encoding', { errors: [{ path: '/headers/content-type', message: e.message ?? 'unsupported' }] });
    default: {
      const type = (Object.keys(PROBLEM_TYPES) as ProblemType[]).find((t) => PROBLEM_TYPES[t].status === status) ?? 'bad-request';
      return new ApiProblem(type, e.expose && e.message ? e.message : PROBLEM_TYPES[type].title, { status });
    }
  }
}

/** The last middleware: every error becomes problem+json; unexpected ones are logged, never shown. */
export function problemErrorHandler(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    let problem: ApiProblem | undefined;
    if (err instanceof ApiProblem) problem = err;
    else if (typeof err === 'object' && err !== null) problem = fromHttpError(err);
    if (!problem) {
      const errorId = randomUUID().slice(0, 8);
      logger.error({ err, errorId, method: req.method, url: redactedUrl(req.originalUrl) }, 'API request failed');
      problem = new ApiProblem('internal', `the server failed to answer this request; its log has the details under error id ${errorId}`, {
        extensions: { errorId },
      });
    }
    sendProblem(res, problem, redactedUrl(req.originalUrl));
  };
}
