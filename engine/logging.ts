/**
 * Logs (pino). Levels come from SLUICE_LOG_LEVEL; the CLI keeps workers quiet. The format follows
 * the reader: on a terminal one readable line per record (`12:00:01 WARN  sluice: message  key=value`),
 * in a pipe or a file pino's JSON lines, for log collectors. SLUICE_LOG_FORMAT (`pretty`|`json`,
 * which the CLI's `--log-format` sets) overrides that.
 *
 * The pretty lines are a small formatter of our own rather than pino-pretty: a record here has a
 * message and a few flat fields, and the formatter runs in-process (no transport worker thread).
 */
import { pino, type DestinationStream, type Logger as PinoLogger } from 'pino';

export type Logger = PinoLogger;

import { LOG_FORMATS, type LogFormat } from './logFormats';

export { LOG_FORMATS, type LogFormat };

/** SLUICE_LOG_FORMAT names no known format. */
export class LogSettingError extends Error {
  override readonly name = 'LogSettingError';
  readonly code = 'bad-log-format';
}

/** SLUICE_LOG_FORMAT when set, else pretty for a terminal and JSON for anything else. */
export function resolveLogFormat(env: NodeJS.ProcessEnv, isTTY: boolean): LogFormat {
  const set = env.SLUICE_LOG_FORMAT;
  if (set === undefined || set === '') return isTTY ? 'pretty' : 'json';
  if (!(LOG_FORMATS as readonly string[]).includes(set)) {
    throw new LogSettingError(`SLUICE_LOG_FORMAT must be "pretty" or "json" (got ${JSON.stringify(set)})`);
  }
  return set as LogFormat;
}

const LEVEL_NAMES: Readonly<Record<number, string>> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };

/** pino's serialized error (`err`). */
interface SerializedError {
  message?: unknown;
  stack?: unknown;
}

function fieldText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/**
 * One pino JSON line as a line for people. Fields other than the standard ones follow the message
 * as `key=value`; an error shows its message, and its stack only when `debug` (SLUICE_DEBUG), as the
 * CLI's own errors do. A line that is not a JSON record passes through.
 */
export function formatLogLine(line: string, options: { debug: boolean }): string {
  let record: unknown;
  try {
    record = JSON.parse(line);
  } catch {
    record = undefined;
  }
  if (typeof record !== 'object' || record === null || Array.isArray(record)) return line.endsWith('\n') ? line : `${line}\n`;
  // pid and hostname say nothing on a terminal of this machine.
  const { level, time, name, msg, err, pid: _pid, hostname: _hostname, ...fields } = record as Record<string, unknown>;
  const at = typeof time === 'number' ? new Date(time).toTimeString().slice(0, 8) : '';
  const levelName = (typeof level === 'number' ? LEVEL_NAMES[level] : undefined) ?? fieldText(level);
  const parts = Object.entries(fields).map(([k, v]) => `${k}=${fieldText(v)}`);
  const error = typeof err === 'object' && err !== null ? (err as SerializedError) : undefined;
  if (error) parts.push(`err=${fieldText(error.message ?? err)}`);
  const head = `${at} ${levelName.padEnd(5)} ${typeof name === 'string' ? `${name}: ` : ''}${typeof msg === 'string' ? msg : ''}`;
  let out = `${head}${parts.length ? `  ${parts.join(' ')}` : ''}\n`;
  if (error && options.debug && typeof error.stack === 'string') {
    out += `${error.stack.split('\n').slice(1).map((l) => `    ${l.trim()}`).join('\n')}\n`;
  }
  return out;
}

export interface LoggerOptions {
  level?: string;
  name?: string;
  /** Write to stderr (the CLI: its stdout is its output, which scripts parse). Default stdout. */
  stderr?: boolean;
  /** Where to write instead (tests). */
  destination?: NodeJS.WritableStream & { isTTY?: boolean };
  /** Where SLUICE_LOG_FORMAT, SLUICE_LOG_LEVEL and SLUICE_DEBUG come from; default process.env. */
  env?: NodeJS.ProcessEnv;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const env = options.env ?? process.env;
  const opts = { name: options.name ?? 'sluice', level: options.level ?? env.SLUICE_LOG_LEVEL ?? 'info' };
  const out = options.destination ?? (options.stderr ? process.stderr : process.stdout);
  const format = resolveLogFormat(env, out.isTTY === true);
  if (format === 'pretty') {
    const debug = Boolean(env.SLUICE_DEBUG);
    const pretty: DestinationStream = { write: (line: string) => void out.write(formatLogLine(line, { debug })) };
    return pino(opts, pretty);
  }
  if (options.destination) return pino(opts, options.destination);
  return pino(opts, pino.destination(options.stderr ? 2 : 1));
}
