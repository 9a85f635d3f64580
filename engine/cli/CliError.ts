/**
 * An error the CLI prints as a message (no stack), with advice, before exiting. What went wrong is
 * its `code`; the exit status and the advice follow from the code in one table (`CLI_ERRORS`), so
 * no caller ever recognises an error by its message.
 */

export type CliErrorCode =
  /** Bad flags, files, parameters or ids: fix the command. */
  | 'invalid'
  /** A run, task, artifact, schedule … that does not exist. */
  | 'not-found'
  /** The engine or the server refused (a conflict, a state that does not allow it); the message says why. */
  | 'refused'
  /** The server wants an API token (401), or one of a role that may do this (403). */
  | 'unauthorized'
  /** The server failed on its side (5xx). */
  | 'server-error'
  /** The server answered what the API contract does not describe (another version of Sluice, a proxy's page). */
  | 'server-mismatch'
  /** No answer from the Sluice API at a known URL. */
  | 'server-unreachable'
  /** The Sluice API stopped answering while the command followed a run there. */
  | 'server-lost';

/** Facts the advice is made of. */
export interface CliErrorDetails {
  /** The Sluice API's URL. */
  url?: string;
  /** How the CLI found that URL: "SLUICE_URL", or the `sluice dev` process that owns the state directory. */
  via?: string;
  /** The run the command was following. */
  runId?: string;
  /** What the connection failure was, in a few words (e.g. "connect ECONNREFUSED 127.0.0.1:8080"). */
  reason?: string;
}

export class CliError extends Error {
  override readonly name = 'CliError';
  readonly code: CliErrorCode;
  readonly details: CliErrorDetails;

  constructor(message: string, options: { code?: CliErrorCode; details?: CliErrorDetails; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = options.code ?? 'invalid';
    this.details = options.details ?? {};
  }
}

/** Exit statuses: 1 the command (or its run) failed, 3 the server could not be reached or stopped answering. */
export const EXIT_FAILED = 1;
export const EXIT_SERVER = 3;

/** Per code: the exit status, and what to do (when there is more to say than the message). */
export const CLI_ERRORS: Record<CliErrorCode, { exitCode: number; advice?: (d: CliErrorDetails) => string | undefined }> = {
  invalid: { exitCode: EXIT_FAILED },
  'not-found': { exitCode: EXIT_FAILED },
  refused: { exitCode: EXIT_FAILED },
  unauthorized: {
    exitCode: EXIT_FAILED,
    advice: () =>
      'set SLUICE_TOKEN to an API token whose role may do this; the first admin token is made against the store itself ' +
      '(`sluice tokens create --role admin --name <you>` while no server holds the state directory, or with DATABASE_URL and SLUICE_URL unset)',
  },
  'server-error': {
    exitCode: EXIT_FAILED,
    advice: (d) => (d.url ? `the server's log has the details (${d.via === 'SLUICE_URL' ? d.url : `the terminal of ${d.via ?? 'the server'}`})` : undefined),
  },
  'server-mismatch': {
    exitCode: EXIT_FAILED,
    advice: (d) => `is ${d.via === 'SLUICE_URL' ? `${d.url ?? 'SLUICE_URL'} a Sluice server of this version` : `${d.via ?? 'the server'} running this version of Sluice`}? Use the same version for the CLI and the server`,
  },
  'server-unreachable': {
    exitCode: EXIT_SERVER,
    advice: (d) =>
      d.via === 'SLUICE_URL'
        ? 'check that the server runs and that SLUICE_URL points at it (unset SLUICE_URL to work on the local state directory)'
        : `${d.via ?? 'the server'} holds the state directory but its API does not answer: wait until it is up, or stop it and try again`,
  },
  'server-lost': {
    exitCode: EXIT_SERVER,
    advice: (d) =>
      d.runId
        ? `the run continues on the server: \`sluice runs show ${d.runId}\` once it is back (\`sluice dev\` resumes its runs when it starts again)`
        : 'try again once the server is back',
  },
};

export function exitCodeOf(e: CliError): number {
  return CLI_ERRORS[e.code].exitCode;
}

export function adviceFor(e: CliError): string | undefined {
  return CLI_ERRORS[e.code].advice?.(e.details);
}
