/** Structured JSON logs (pino). Levels come from SLUICE_LOG_LEVEL; the CLI keeps workers quiet. */
import { pino, type Logger as PinoLogger } from 'pino';

export type Logger = PinoLogger;

export function createLogger(options: { level?: string; name?: string; stderr?: boolean } = {}): Logger {
  const opts = { name: options.name ?? 'sluice', level: options.level ?? process.env.SLUICE_LOG_LEVEL ?? 'info' };
  // The CLI writes its own output to stdout; its logs go to stderr so scripts can parse stdout.
  return options.stderr ? pino(opts, pino.destination(2)) : pino(opts);
}
