/**
 * Errors of the HTTP API: `application/problem+json` (RFC 9457) documents with `type`, `title`,
 * `status`, `detail`, and `errors: [{ path, message }]` naming each offending field as a JSON Pointer
 * into the request (`/body/params/epochs`, `/query/limit`, `/params/runId`). The server writes them
 * (engine/server/problem.ts); clients read them into an `ApiError` whose `code` is the problem type.
 */
import { z } from 'zod';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** The problem types; `title` is the same for every occurrence of a type. */
export const PROBLEM_TYPES = {
  'bad-request': { status: 400, title: 'The request is malformed' },
  validation: { status: 400, title: 'The request does not match the endpoint schema' },
  unauthorized: { status: 401, title: 'Authentication required' },
  forbidden: { status: 403, title: 'Not allowed for this role' },
  'not-found': { status: 404, title: 'Not found' },
  'method-not-allowed': { status: 405, title: 'Method not allowed' },
  conflict: { status: 409, title: 'Conflict with the current state' },
  'draft-pipeline': { status: 409, title: 'The pipeline version is a draft with validation problems; it cannot run' },
  'payload-too-large': { status: 413, title: 'Request body too large' },
  'unsupported-media-type': { status: 415, title: 'Unsupported media type' },
  'invalid-pipeline': { status: 422, title: 'The pipeline IR is invalid' },
  'invalid-params': { status: 422, title: 'The run parameters are invalid' },
  unprocessable: { status: 422, title: 'The request cannot be processed' },
  'invalid-text': { status: 422, title: 'The request holds text that cannot be stored' },
  unavailable: { status: 503, title: 'A service the API needs is unavailable' },
  internal: { status: 500, title: 'Internal server error' },
} as const;
export type ProblemType = keyof typeof PROBLEM_TYPES;

const PROBLEM_URN = 'urn:sluice:problem:';
export const problemTypeUri = (type: ProblemType): string => `${PROBLEM_URN}${type}`;
const isProblemType = (s: string): s is ProblemType => Object.hasOwn(PROBLEM_TYPES, s);

/** The problem type of a `type` URI, or undefined when it is not one of ours. */
export function problemTypeOf(uri: string): ProblemType | undefined {
  const code = uri.startsWith(PROBLEM_URN) ? uri.slice(PROBLEM_URN.length) : '';
  return isProblemType(code) ? code : undefined;
}

export const fieldErrorSchema = z.object({
  path: z.string().meta({ description: 'JSON Pointer into the request: /body/…, /query/…, /params/…', example: '/body/params/epochs' }),
  message: z.string(),
  code: z.string().optional().meta({ description: "A machine-readable code where one is known (the IR validator's issue codes)" }),
  hint: z.string().optional().meta({ description: 'What to do about it' }),
});
export type FieldError = z.infer<typeof fieldErrorSchema>;

/** Extension members (`errorId`, `checks`) are kept: `loose`. */
export const problemSchema = z
  .looseObject({
    type: z.string().meta({ example: 'urn:sluice:problem:validation' }),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    instance: z.string().optional(),
    errors: z.array(fieldErrorSchema).optional(),
  })
  .meta({ id: 'Problem', description: 'RFC 9457 problem details' });
export type Problem = z.infer<typeof problemSchema>;

/**
 * Why a call failed, for a client: the problem type the server named (`not-found`, `invalid-params`,
 * …), or `unreachable` (no answer at all), `bad-response` (an answer the contract does not describe:
 * an older or newer server, a proxy's error page).
 */
export type ApiErrorCode = ProblemType | 'unreachable' | 'bad-response';

export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly code: ApiErrorCode,
    /** HTTP status; 0 when there was no answer. */
    readonly status: number,
    message: string,
    /** The offending fields, from the problem document. */
    readonly errors: FieldError[] = [],
    /** The whole problem document, extensions included, when the server sent one. */
    readonly problem?: Problem,
    /** What failed underneath (`unreachable`: fetch's error, whose own `cause` names the socket's). */
    cause?: unknown,
  ) {
    super(message, cause === undefined ? undefined : { cause });
  }
}

/** The error for a failed answer: its problem document when it is one, else what can be said. */
export function apiErrorFromResponse(status: number, text: string, what: string): ApiError {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    data = undefined;
  }
  const parsed = problemSchema.safeParse(data);
  if (parsed.success) {
    const problem = parsed.data;
    const code = problemTypeOf(problem.type) ?? fallbackCode(status);
    return new ApiError(code, status, problem.detail || problem.title, problem.errors ?? [], problem);
  }
  const excerpt = text.trim().slice(0, 200);
  return new ApiError(fallbackCode(status), status, `${what} failed with HTTP ${status}${excerpt ? `: ${excerpt}` : ''}`);
}

/** The generic problem type of each status, for an answer without a problem document. */
const GENERIC_CODES: Partial<Record<number, ProblemType>> = {
  400: 'bad-request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not-found',
  405: 'method-not-allowed',
  409: 'conflict',
  413: 'payload-too-large',
  415: 'unsupported-media-type',
  422: 'unprocessable',
  500: 'internal',
  503: 'unavailable',
};

const fallbackCode = (status: number): ApiErrorCode => GENERIC_CODES[status] ?? 'bad-response';
