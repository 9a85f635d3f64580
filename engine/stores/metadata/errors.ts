/**
 * Errors of the metadata store. One class, one `code` per condition, so callers can branch on the
 * code and activities can tell Temporal whether a retry may help (`retryable`).
 */
export type MetadataStoreErrorCode =
  /** DATABASE_URL is not a PostgreSQL URL. */
  | 'invalid_url'
  /** The PostgreSQL server could not be reached or refused the login. */
  | 'connection'
  /** The embedded PGlite database could not be opened. */
  | 'embedded_open'
  /** Applying the checked-in migrations failed. */
  | 'migration'
  /** A write named a run, execution or pipeline version that does not exist. */
  | 'not_found'
  /** A write would duplicate a unique name (an experiment's), or a compare-and-set saw another value. */
  | 'conflict'
  /** A write names a row of the wrong kind (a model version's artifact that is not a Model). */
  | 'invalid';

const RETRYABLE: Record<MetadataStoreErrorCode, boolean> = {
  invalid_url: false,
  // A database that is restarting or briefly unreachable comes back; a retry is the fix.
  connection: true,
  embedded_open: false,
  migration: false,
  not_found: false,
  conflict: false,
  invalid: false,
};

export class MetadataStoreError extends Error {
  override readonly name = 'MetadataStoreError';
  readonly code: MetadataStoreErrorCode;
  readonly retryable: boolean;

  constructor(code: MetadataStoreErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.retryable = RETRYABLE[code];
  }
}

/** The message of any thrown value, for wrapping errors without losing what the driver said. */
export function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}
