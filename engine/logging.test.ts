import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, formatLogLine, LogSettingError, resolveLogFormat } from './logging';

/** A destination that collects what the logger writes, as a terminal or a pipe would. */
function sink(isTTY: boolean): { stream: Writable & { isTTY?: boolean }; text: () => string } {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      text += chunk.toString();
      done();
    },
  }) as Writable & { isTTY?: boolean };
  stream.isTTY = isTTY;
  return { stream, text: () => text };
}

describe('logs for people on a terminal, JSON for programs', () => {
  it('writes one readable line per record on a terminal: time, level, name, message, fields; no JSON', () => {
    const out = sink(true);
    const logger = createLogger({ name: 'sluice', level: 'info', destination: out.stream, env: {} });
    logger.warn({ runId: 'r1', attempt: 2 }, 'task retried');
    expect(out.text()).toMatch(/^\d\d:\d\d:\d\d WARN {2}sluice: task retried {2}runId=r1 attempt=2\n$/);
    expect(out.text()).not.toContain('{"level"');
  });

  it('writes pino JSON lines when the destination is not a terminal', () => {
    const out = sink(false);
    createLogger({ name: 'sluice', level: 'info', destination: out.stream, env: {} }).warn({ runId: 'r1' }, 'task retried');
    expect(JSON.parse(out.text())).toMatchObject({ level: 40, name: 'sluice', msg: 'task retried', runId: 'r1' });
  });

  it('SLUICE_LOG_FORMAT=json (what --log-format json sets) keeps JSON on a terminal; =pretty gives lines in a pipe', () => {
    const tty = sink(true);
    createLogger({ level: 'info', destination: tty.stream, env: { SLUICE_LOG_FORMAT: 'json' } }).info('hello');
    expect(JSON.parse(tty.text())).toMatchObject({ msg: 'hello' });
    expect(resolveLogFormat({ SLUICE_LOG_FORMAT: 'pretty' }, false)).toBe('pretty');
  });

  it('refuses an unknown SLUICE_LOG_FORMAT, naming the setting and the choices', () => {
    expect(() => resolveLogFormat({ SLUICE_LOG_FORMAT: 'yaml' }, true)).toThrow(LogSettingError);
    expect(() => resolveLogFormat({ SLUICE_LOG_FORMAT: 'yaml' }, true)).toThrow('SLUICE_LOG_FORMAT must be "pretty" or "json" (got "yaml")');
  });

  it('shows an error by its message, and its stack only with SLUICE_DEBUG', () => {
    const err = { type: 'Error', message: 'connection refused', stack: 'Error: connection refused\n    at connect (net.js:1:1)' };
    const line = JSON.stringify({ level: 50, time: Date.UTC(2026, 0, 1, 12, 0, 0), name: 'sluice', msg: 'error while stopping the stack', err });
    const plain = formatLogLine(line, { debug: false });
    expect(plain).toContain('ERROR sluice: error while stopping the stack  err=connection refused\n');
    expect(plain).not.toContain('at connect');
    expect(formatLogLine(line, { debug: true })).toContain('    at connect (net.js:1:1)');
  });

  it('passes a line that is not a JSON record through unchanged', () => {
    expect(formatLogLine('not json', { debug: false })).toBe('not json\n');
  });
});
