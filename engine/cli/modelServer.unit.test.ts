import { describe, expect, it } from 'vitest';
import { CliError } from './CliError';
import { modelServerAuthEnabled, modelServerSettings, type ModelServerFlags } from './commands/modelServer';

const flags: ModelServerFlags = {
  maxBatchSize: '64',
  maxQueueDelayMs: '0',
  maxConcurrentBatches: '2',
  provider: 'auto',
  gpu: '0',
  threads: '0',
  pollMs: '1000',
  defaultAlias: 'champion',
  logSample: '0.1',
  logFlushRows: '1000',
  logFlushMs: '60000',
  logMaxBufferedRows: '20000',
};

describe('sluice model-server flags', () => {
  it('reads the request-log settings and refuses a sample rate outside [0, 1], naming the flag', () => {
    expect(modelServerSettings({ ...flags, logSample: '0.25', logFlushRows: '10' }).requestLog).toEqual({ sampleRate: 0.25, maxRows: 10, flushMs: 60000, maxBufferedRows: 20000 });
    expect(modelServerSettings({ ...flags, logSample: '0' }).requestLog?.sampleRate).toBe(0);
    for (const bad of ['1.5', '-0.1', 'ten', '']) {
      expect(() => modelServerSettings({ ...flags, logSample: bad })).toThrow(CliError);
      expect(() => modelServerSettings({ ...flags, logSample: bad })).toThrow(/--log-sample must be a number from 0 to 1/);
    }
    expect(() => modelServerSettings({ ...flags, logFlushRows: '0' })).toThrow(/--log-flush-rows must be an integer ≥ 1/);
  });

  it('turns auth on as `sluice serve` does: off loopback unless SLUICE_AUTH=off, anywhere with SLUICE_AUTH=on', () => {
    expect(modelServerAuthEnabled('127.0.0.1', undefined)).toBe(false);
    expect(modelServerAuthEnabled('127.0.0.1', 'on')).toBe(true);
    expect(modelServerAuthEnabled('0.0.0.0', undefined)).toBe(true);
    expect(modelServerAuthEnabled('0.0.0.0', 'off')).toBe(false);
  });
});
