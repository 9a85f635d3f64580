import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { TrialRecord } from '../../dsl/ir/tuneSpace';
import { compileSpace } from './space';
import { buildParzen, gamma, logPdfParzen, observationWeights, splitTrials } from './tpe';

interface Case {
  obs: Record<string, number[]>;
  points: Record<string, number[]>;
  logPdf: number[];
}
const fixture = JSON.parse(readFileSync(new URL('./fixtures/optunaParzen.json', import.meta.url), 'utf8')) as { optuna: string; cases: Case[] };

describe('TPE internals', () => {
  it("Parzen estimator log-densities equal Optuna's on recorded observations (float, log float, stepped int, log int, categorical; 0, 1, 3 and 30 observations)", () => {
    const params = compileSpace({
      x: { type: 'uniform', low: -5, high: 10 },
      lr: { type: 'logUniform', low: 1e-4, high: 1 },
      n: { type: 'intRange', low: 2, high: 64, step: 2 },
      b: { type: 'intRange', low: 1, high: 1000, log: true },
      c: { type: 'choice', values: ['a', 'b', 'c'] },
    });
    const keys = params.map((p) => p.name);
    const rows = (cols: Record<string, number[]>): number[][] => cols.x!.map((_, i) => keys.map((k) => cols[k]![i]!));
    expect(fixture.cases.map((c) => c.obs.x!.length)).toEqual([0, 1, 3, 30]);
    for (const c of fixture.cases) {
      const pe = buildParzen(params.map((p) => p.domain), rows(c.obs));
      rows(c.points).forEach((x, i) => {
        expect(logPdfParzen(pe, x), `${c.obs.x!.length} observations, point ${i} (Optuna ${fixture.optuna})`).toBeCloseTo(c.logPdf[i]!, 4);
      });
    }
  });

  it("γ and the observation weights are Optuna's defaults", () => {
    expect([0, 1, 10, 11, 100, 249, 250, 1000].map(gamma)).toEqual([0, 1, 1, 2, 10, 25, 25, 25]);
    expect(observationWeights(3)).toEqual([1, 1, 1]);
    const w = observationWeights(30);
    expect(w).toHaveLength(30);
    expect(w[0]).toBeCloseTo(1 / 30);
    expect(w[4]).toBeCloseTo(1);
    expect(w.slice(5).every((x) => x === 1)).toBe(true);
    expect(observationWeights(26)[0]).toBeCloseTo(1 / 26);
  });

  it('ranks succeeded trials by value, then pruned ones by how far they got and their last value; ignores failed and running', () => {
    const t = (number: number, state: TrialRecord['state'], value?: number, intermediate: TrialRecord['intermediate'] = []): TrialRecord => ({
      number,
      params: {},
      state,
      intermediate,
      ...(value === undefined ? {} : { value }),
    });
    const trials = [
      t(0, 'pruned', undefined, [{ step: 1, value: 0.1 }]),
      t(1, 'succeeded', 0.5),
      t(2, 'pruned', undefined, [{ step: 1, value: 0.9 }, { step: 5, value: 0.8 }]),
      t(3, 'failed'),
      t(4, 'succeeded', 0.2),
      t(5, 'running', undefined, [{ step: 9, value: 0 }]),
      t(6, 'pruned'),
      ...Array.from({ length: 13 }, (_, i) => t(7 + i, 'succeeded', 1 + i)),
    ];
    // 18 finished: γ = 2, so the two best completed ones.
    const split = splitTrials(trials, { metric: 'loss', goal: 'minimize' });
    expect(split.below.map((x) => x.number)).toEqual([1, 4]);
    expect(split.above.map((x) => x.number)).not.toContain(3);
    expect(split.above.map((x) => x.number)).not.toContain(5);
    expect(split.above).toHaveLength(16);
    // With few completed trials, pruned ones fill l(x): later step first, then value.
    const few = [trials[0]!, trials[2]!, trials[4]!, trials[6]!, ...Array.from({ length: 7 }, (_, i) => t(20 + i, 'pruned', undefined, [{ step: 1, value: 5 + i }]))];
    // 11 finished: γ = 2 → trial 4 (completed), then trial 2 (pruned at step 5).
    expect(splitTrials(few, { metric: 'loss', goal: 'minimize' }).below.map((x) => x.number)).toEqual([2, 4]);
    // The constant liar: running trial 5 joins g(x) whatever it reported; γ still counts finished trials only.
    const lying = splitTrials(trials, { metric: 'loss', goal: 'minimize' }, true);
    expect(lying.below.map((x) => x.number)).toEqual([1, 4]);
    expect(lying.above.map((x) => x.number)).toContain(5);
    expect(lying.above).toHaveLength(17);
    // Maximising flips the order of values.
    expect(splitTrials(trials, { metric: 'acc', goal: 'maximize' }).below.map((x) => x.number)).toEqual([18, 19]);
  });
});
