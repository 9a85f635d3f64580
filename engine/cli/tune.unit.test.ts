/** `sluice tune show`'s text: one line per trial with its state, value, duration and parameters; pruned trials say the step. */
import { describe, expect, it } from 'vitest';
import { formatStudy } from './commands/tune';

describe('sluice tune show', () => {
  it('prints the best trial and a row per trial, pruned trials with their step and reason', () => {
    const text = formatStudy({
      study: 'tune-train',
      best: { number: 1, value: 0.25, params: { lr: 0.01, act: 'relu' } },
      control: { parallelTrials: 4, maxTrials: 20, stopRequested: false },
      trials: [
        { number: 0, state: 'pruned', params: { lr: 0.5, act: 'tanh' }, value: null, prunedStep: 3, reason: 'worse than the median at step 3', executionId: 'r.tune-train[0]', startedAt: '2026-01-01T00:00:00.000Z', finishedAt: '2026-01-01T00:00:02.500Z' },
        { number: 1, state: 'succeeded', params: { lr: 0.01, act: 'relu' }, value: 0.25, prunedStep: null, reason: null, executionId: 'r.tune-train[1]', startedAt: '2026-01-01T00:00:00.000Z', finishedAt: '2026-01-01T00:00:04.000Z' },
        { number: 2, state: 'running', params: { lr: 0.1, act: 'relu' }, value: null, prunedStep: null, reason: null, executionId: 'r.tune-train[2]', startedAt: '2026-01-01T00:00:04.000Z', finishedAt: null },
      ],
    });
    const lines = text.split('\n');
    expect(lines[0]).toBe('study tune-train: 3 trials (running: parallelTrials 4, maxTrials 20)');
    expect(lines[1]).toBe('  best: trial 1, value 0.25, lr=0.01 act="relu"');
    expect(lines[3]).toMatch(/^ {2}0 {4}pruned +- +2\.5s +lr=0\.5 act="tanh" \(pruned at step 3: worse than the median at step 3\)$/);
    expect(lines[4]).toMatch(/^ {2}1 {4}succeeded +0\.25 +4\.0s +lr=0\.01 act="relu"$/);
    expect(lines[5]).toMatch(/^ {2}2 {4}running +- +- +lr=0\.1 act="relu"$/);
  });
});
