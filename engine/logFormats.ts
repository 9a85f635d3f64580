/**
 * The log formats (engine/logging.ts), apart from pino: the CLI's `--log-format` option lists them
 * on every command, and importing logging.ts for that would load pino on every start-up
 * (bench/cliStartup.ts).
 */
export const LOG_FORMATS = ['pretty', 'json'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];
