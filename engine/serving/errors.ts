/** The model server's refusals: a code (never recognised by message), and the HTTP status it maps to. */
export type ServingErrorCode = 'bad_request' | 'not_found' | 'not_ready' | 'model_invalid';

const STATUS: Record<ServingErrorCode, number> = { bad_request: 400, not_found: 404, not_ready: 503, model_invalid: 503 };

export class ServingError extends Error {
  override readonly name = 'ServingError';
  constructor(
    readonly code: ServingErrorCode,
    message: string,
  ) {
    super(message);
  }

  get status(): number {
    return STATUS[this.code];
  }
}

export const badRequest = (message: string): ServingError => new ServingError('bad_request', message);
export const notFound = (message: string): ServingError => new ServingError('not_found', message);
