/** A study's trials as a Dataset: the format components read (components/dataset.ts), one row per trial. */
import { describe, expect, it } from 'vitest';
import { parseDataset } from '../../../components/dataset';
import type { TuneTrialRecord } from '../../stores/metadata/index';
import { trialsDataset } from './studyActivities';

const trial = (number: number, over: Partial<TuneTrialRecord>): TuneTrialRecord => ({
  runId: 'r',
  study: 's',
  number,
  state: 'succeeded',
  params: {},
  value: null,
  prunedStep: null,
  reason: null,
  executionId: `r.s[${number}]`,
  startedAt: new Date(1000),
  finishedAt: new Date(1500),
  ...over,
});

describe('trialsDataset', () => {
  it('writes a valid Dataset: fixed columns, one per parameter (typed by its values, nullable when conditional), value as target', () => {
    const ds = trialsDataset(
      [
        trial(1, { state: 'pruned', params: { lr: 0.1, opt: 'adam', deep: false, state: 2 }, value: 0.7, prunedStep: 3, reason: 'worse than the median' }),
        trial(0, { params: { lr: 0.01, opt: 'sgd', momentum: 0.9, deep: true, state: 1 }, value: 0.5 }),
        trial(2, { state: 'running', params: { lr: 0.2, opt: 1, deep: true, state: 3 }, finishedAt: null }),
      ],
      ['lr', 'opt', 'momentum', 'deep', 'state'],
    );
    expect(parseDataset(JSON.parse(JSON.stringify(ds)), 'trials')).toEqual(ds);
    expect(ds.target).toBe('value');
    expect(ds.columns).toEqual([
      { name: 'number', type: 'number' },
      { name: 'state', type: 'string' },
      { name: 'lr', type: 'number' },
      { name: 'opt', type: 'string' },
      { name: 'momentum', type: 'number', nullable: true },
      { name: 'deep', type: 'boolean' },
      // A parameter named like a fixed column keeps its values apart.
      { name: 'param.state', type: 'number' },
      { name: 'value', type: 'number', nullable: true },
      { name: 'prunedStep', type: 'number', nullable: true },
      { name: 'reason', type: 'string', nullable: true },
      { name: 'durationMs', type: 'number', nullable: true },
    ]);
    expect(ds.rows).toEqual([
      [0, 'succeeded', 0.01, 'sgd', 0.9, true, 1, 0.5, null, null, 500],
      [1, 'pruned', 0.1, 'adam', null, false, 2, 0.7, 3, 'worse than the median', 500],
      [2, 'running', 0.2, '1', null, true, 3, null, null, null, null],
    ]);
  });

  it('writes an empty study as columns without rows', () => {
    const ds = trialsDataset([], ['x']);
    expect(ds.rows).toEqual([]);
    expect(parseDataset(JSON.parse(JSON.stringify(ds)), 'trials').columns.map((c) => c.name)).toContain('x');
  });
});
