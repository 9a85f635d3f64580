import { describe, expect, it } from 'vitest';
import type { Assignment, Objective, SearchSpace, TrialRecord, TuneAlgorithm } from '../../dsl/ir/tuneSpace';
import { suggest, suggestBatch, TuningError } from './index';

const minimize: Objective = { metric: 'loss', goal: 'minimize' };

/** Runs a sequential study of n trials on f and returns its trials. */
function study(space: SearchSpace, algorithm: TuneAlgorithm, seed: number, n: number, f: (a: Assignment) => number, objective: Objective = minimize): TrialRecord[] {
  const trials: TrialRecord[] = [];
  for (let i = 0; i < n; i++) {
    const params = suggest({ space, algorithm, objective, trials, seed });
    if (params === null) break;
    trials.push({ number: i, params, state: 'succeeded', value: f(params), intermediate: [] });
  }
  return trials;
}

const num = (a: Assignment, k: string): number => a[k] as number;

function branin(a: Assignment): number {
  const x = num(a, 'x');
  const y = num(a, 'y');
  const b = 5.1 / (4 * Math.PI ** 2);
  const c = 5 / Math.PI;
  const t = 1 / (8 * Math.PI);
  return (y - b * x * x + c * x - 6) ** 2 + 10 * (1 - t) * Math.cos(x) + 10;
}
const BRANIN_MIN = 0.397887;
const braninSpace: SearchSpace = { x: { type: 'uniform', low: -5, high: 10 }, y: { type: 'uniform', low: 0, high: 15 } };

const mixedSpace: SearchSpace = {
  optimizer: { type: 'choice', values: ['sgd', 'adam'] },
  lr: { type: 'logUniform', low: 1e-5, high: 1e-1 },
  momentum: { type: 'uniform', low: 0, high: 0.9, step: 0.1, when: { param: 'optimizer', in: ['sgd'] } },
  beta1: { type: 'uniform', low: 0.8, high: 0.99, when: { param: 'optimizer', in: ['adam'] } },
  units: { type: 'intRange', low: 16, high: 512, step: 16 },
  batch: { type: 'intRange', low: 1, high: 1024, log: true },
  layers: { type: 'choice', values: [1, 2, 3] },
  dropout: { type: 'choice', values: [true, false] },
  rate: { type: 'uniform', low: 0.1, high: 0.5, when: { param: 'dropout', in: [true] } },
};
const mixedObjective = (a: Assignment): number =>
  Math.abs(Math.log10(num(a, 'lr')) + 3) + Math.abs(num(a, 'units') - 128) / 128 + (a.optimizer === 'adam' ? 0 : 0.5) + (a.dropout ? num(a, 'rate') : 0.3) + Math.abs(Math.log2(num(a, 'batch')) - 5) / 5;

function checkDomain(a: Assignment): void {
  expect(['sgd', 'adam']).toContain(a.optimizer);
  expect(num(a, 'lr')).toBeGreaterThanOrEqual(1e-5);
  expect(num(a, 'lr')).toBeLessThanOrEqual(1e-1);
  if (a.optimizer === 'sgd') {
    expect(Object.keys(a)).toContain('momentum');
    expect(Object.keys(a)).not.toContain('beta1');
    expect(Math.round(num(a, 'momentum') * 10) / 10).toBe(num(a, 'momentum'));
    expect(num(a, 'momentum')).toBeLessThanOrEqual(0.9);
  } else {
    expect(Object.keys(a)).toContain('beta1');
    expect(Object.keys(a)).not.toContain('momentum');
  }
  expect(num(a, 'units') % 16).toBe(0);
  expect(num(a, 'units')).toBeGreaterThanOrEqual(16);
  expect(num(a, 'units')).toBeLessThanOrEqual(512);
  expect(Number.isInteger(num(a, 'batch'))).toBe(true);
  expect(num(a, 'batch')).toBeGreaterThanOrEqual(1);
  expect(num(a, 'batch')).toBeLessThanOrEqual(1024);
  expect([1, 2, 3]).toContain(a.layers);
  expect([true, false]).toContain(a.dropout);
  expect(Object.keys(a).includes('rate')).toBe(a.dropout === true);
}

describe('suggest: every algorithm', () => {
  const algorithms: TuneAlgorithm[] = [{ name: 'random' }, { name: 'tpe' }, { name: 'tpe', multivariate: false }];

  it.each(algorithms)('$name (multivariate $multivariate) gives the same answers for the same input, every time', (algorithm) => {
    const a = study(mixedSpace, algorithm, 7, 25, mixedObjective);
    const b = study(mixedSpace, algorithm, 7, 25, mixedObjective);
    expect(b).toEqual(a);
    // A structured clone of the history (what comes back from the workflow's history) changes nothing.
    const again = suggest({ space: mixedSpace, algorithm, objective: minimize, trials: structuredClone(a), seed: 7 });
    expect(again).toEqual(suggest({ space: mixedSpace, algorithm, objective: minimize, trials: a, seed: 7 }));
    // A different seed gives a different study.
    expect(study(mixedSpace, algorithm, 8, 25, mixedObjective).map((t) => t.params)).not.toEqual(a.map((t) => t.params));
  });

  it.each(algorithms)('$name (multivariate $multivariate) keeps every value in its domain and conditional parameters exactly where their condition holds', (algorithm) => {
    const trials = study(mixedSpace, algorithm, 3, 40, mixedObjective);
    expect(trials).toHaveLength(40);
    for (const t of trials) checkDomain(t.params);
    // Both branches of each condition were explored.
    expect(new Set(trials.map((t) => t.params.optimizer)).size).toBe(2);
    expect(new Set(trials.map((t) => t.params.dropout)).size).toBe(2);
  });

  it('drops a parameter whose condition is on a parameter that is itself absent (nested conditions)', () => {
    const nested: SearchSpace = {
      model: { type: 'choice', values: ['linear', 'net'] },
      layers: { type: 'choice', values: [1, 2], when: { param: 'model', in: ['net'] } },
      width2: { type: 'intRange', low: 8, high: 64, step: 8, when: { param: 'layers', in: [2] } },
    };
    for (const algorithm of [{ name: 'grid' }, { name: 'random' }, { name: 'tpe', startupTrials: 3 }] as const) {
      const trials = study(nested, algorithm, 2, 30, (a) => (a.model === 'net' ? 0 : 1) + (a.layers === 2 ? num(a, 'width2') / 64 : 0.5));
      for (const { params: a } of trials) {
        expect(Object.keys(a).includes('layers'), JSON.stringify(a)).toBe(a.model === 'net');
        expect(Object.keys(a).includes('width2'), JSON.stringify(a)).toBe(a.layers === 2);
      }
      if (algorithm.name === 'grid') expect(trials).toHaveLength(1 + 1 + 8);
    }
  });

  it('parallel suggestions over the same finished history differ (running trials change the draw, not the model)', () => {
    const finished = study(braninSpace, { name: 'tpe' }, 1, 15, branin);
    const running: TrialRecord = { number: 15, params: suggest({ space: braninSpace, algorithm: { name: 'tpe' }, objective: minimize, trials: finished, seed: 1 })!, state: 'running', intermediate: [] };
    const next = suggest({ space: braninSpace, algorithm: { name: 'tpe' }, objective: minimize, trials: [...finished, running], seed: 1 });
    expect(next).not.toEqual(running.params);
  });

  it('names the parameter of a space it cannot sample', () => {
    const bad: [SearchSpace, string][] = [
      [{ c: { type: 'choice', values: [] } }, 'c'],
      [{ lr: { type: 'logUniform', low: 0, high: 1 } }, 'lr'],
      [{ u: { type: 'uniform', low: 2, high: 1 } }, 'u'],
      [{ n: { type: 'intRange', low: 0, high: 10, log: true } }, 'n'],
      [{ a: { type: 'uniform', low: 0, high: 1, when: { param: 'b', in: ['x'] } }, b: { type: 'choice', values: ['x'] } }, 'a'],
    ];
    for (const [space, param] of bad) {
      for (const name of ['random', 'tpe', 'grid'] as const) {
        let err: unknown;
        try {
          suggest({ space, algorithm: { name }, objective: minimize, trials: [], seed: 0 });
        } catch (e) {
          err = e;
        }
        expect(err, `${name} on ${JSON.stringify(space)}`).toBeInstanceOf(TuningError);
        expect((err as TuningError).code).toBe('invalid-search-space');
        expect((err as TuningError).param).toBe(param);
        expect((err as TuningError).message).toContain(`'${param}'`);
      }
    }
  });
});

describe('suggest: grid', () => {
  const space: SearchSpace = {
    kind: { type: 'choice', values: ['linear', 'tree'] },
    c: { type: 'uniform', low: 0.1, high: 0.3, step: 0.1, when: { param: 'kind', in: ['linear'] } },
    depth: { type: 'intRange', low: 2, high: 8, step: 3, when: { param: 'kind', in: ['tree'] } },
    scale: { type: 'choice', values: [false, true] },
  };
  const all = [
    ...[0.1, 0.2, 0.3].flatMap((c) => [false, true].map((scale) => ({ kind: 'linear', c, scale }))),
    ...[2, 5, 8].flatMap((depth) => [false, true].map((scale) => ({ kind: 'tree', depth, scale }))),
  ];

  it('enumerates the product (conditional parameters only under their condition), each point once, then null', () => {
    const trials = study(space, { name: 'grid' }, 11, 100, () => 0);
    expect(trials).toHaveLength(12);
    expect(new Set(trials.map((t) => JSON.stringify(t.params, Object.keys(t.params).sort())))).toEqual(new Set(all.map((p) => JSON.stringify(p, Object.keys(p).sort()))));
    expect(suggest({ space, algorithm: { name: 'grid' }, objective: minimize, trials, seed: 11 })).toBeNull();
  });

  it('skips points already suggested in any state, whatever their key order', () => {
    for (const left of [0, 4, 11]) {
      const taken: TrialRecord[] = all
        .filter((_, i) => i !== left)
        .map((p, i) => ({ number: i, params: Object.fromEntries(Object.entries(p).reverse()), state: i % 2 ? 'failed' : 'running', intermediate: [] }));
      expect(suggest({ space, algorithm: { name: 'grid' }, objective: minimize, trials: taken, seed: 5 })).toEqual(all[left]);
    }
  });

  it('refuses a continuous parameter without a step, naming it', () => {
    for (const p of [{ type: 'uniform', low: 0, high: 1 }, { type: 'logUniform', low: 1e-3, high: 1 }] as const) {
      let err: unknown;
      try {
        suggest({ space: { k: { type: 'choice', values: [1] }, rate: p }, algorithm: { name: 'grid' }, objective: minimize, trials: [], seed: 0 });
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(TuningError);
      expect((err as TuningError).code).toBe('grid-needs-step');
      expect((err as TuningError).param).toBe('rate');
      expect((err as TuningError).message).toContain("'rate'");
    }
  });

  it('refuses a grid too large to enumerate', () => {
    const big: SearchSpace = { a: { type: 'intRange', low: 0, high: 999 }, b: { type: 'intRange', low: 0, high: 999 } };
    expect(() => suggest({ space: big, algorithm: { name: 'grid' }, objective: minimize, trials: [], seed: 0 })).toThrow(expect.objectContaining({ code: 'grid-too-large' }));
  });

  it('refuses a grid of one huge parameter by counting, before listing its values (regression: intRange(0, 1e9) filled the heap first)', () => {
    const huge: SearchSpace = { n: { type: 'intRange', low: 0, high: 1_000_000_000 } };
    const started = process.memoryUsage().heapUsed;
    expect(() => suggest({ space: huge, algorithm: { name: 'grid' }, objective: minimize, trials: [], seed: 0 })).toThrow(expect.objectContaining({ code: 'grid-too-large', param: 'n' }));
    // Nothing of the size of the grid was allocated (1e9 values would be gigabytes).
    expect(process.memoryUsage().heapUsed - started).toBeLessThan(64 * 1024 * 1024);
  });

  it('puts float steps exactly on the grid', () => {
    const trials = study({ x: { type: 'uniform', low: 0, high: 1, step: 0.1 } }, { name: 'grid' }, 0, 100, () => 0);
    expect(trials.map((t) => t.params.x).sort()).toEqual([0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1]);
  });
});

describe('suggest: random', () => {
  it('covers stepped and log-scaled ranges', () => {
    const space: SearchSpace = {
      n: { type: 'intRange', low: 1, high: 1000, log: true },
      s: { type: 'uniform', low: 0, high: 1, step: 0.25 },
      lr: { type: 'logUniform', low: 1e-6, high: 1 },
    };
    const trials = study(space, { name: 'random' }, 2, 400, () => 0);
    const ns = trials.map((t) => num(t.params, 'n'));
    // Log-uniform: about a third of the draws below 10, a third in 10–100.
    expect(ns.filter((n) => n < 10).length).toBeGreaterThan(80);
    expect(ns.filter((n) => n >= 10 && n < 100).length).toBeGreaterThan(80);
    expect(new Set(trials.map((t) => t.params.s))).toEqual(new Set([0, 0.25, 0.5, 0.75, 1]));
    expect(trials.filter((t) => num(t.params, 'lr') < 1e-3).length).toBeGreaterThan(140);
  });
});

describe('suggest: TPE', () => {
  it('reaches the optimum region of Branin better than random search, across 10 seeds', () => {
    const regret = (name: 'tpe' | 'random', seed: number): number => Math.min(...study(braninSpace, { name }, seed, 50, branin).map((t) => t.value!)) - BRANIN_MIN;
    const seeds = Array.from({ length: 10 }, (_, i) => 1000 + i);
    const tpe = seeds.map((s) => regret('tpe', s));
    const random = seeds.map((s) => regret('random', s));
    const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
    // Paired by seed, TPE wins most; its median regret is well under half of random search's.
    expect(seeds.filter((_, i) => tpe[i]! < random[i]!).length).toBeGreaterThanOrEqual(7);
    expect(median(tpe)).toBeLessThan(0.5 * median(random));
  });

  it('is random during the startup trials, then concentrates where the good trials were', () => {
    const space: SearchSpace = { x: { type: 'uniform', low: 0, high: 100 } };
    const trials = study(space, { name: 'tpe', startupTrials: 5 }, 4, 40, (a) => Math.abs(num(a, 'x') - 80));
    const late = trials.slice(20).map((t) => num(t.params, 'x'));
    expect(late.filter((x) => Math.abs(x - 80) < 15).length).toBeGreaterThanOrEqual(14);
  });

  it('maximises when the goal says so', () => {
    const space: SearchSpace = { x: { type: 'uniform', low: 0, high: 100 } };
    const trials = study(space, { name: 'tpe' }, 4, 40, (a) => -Math.abs(num(a, 'x') - 20), { metric: 'acc', goal: 'maximize' });
    const late = trials.slice(20).map((t) => num(t.params, 'x'));
    expect(late.filter((x) => Math.abs(x - 20) < 15).length).toBeGreaterThanOrEqual(14);
  });

  it('learns the best choice of a categorical parameter', () => {
    const space: SearchSpace = { c: { type: 'choice', values: ['a', 'b', 'c', 'd', 'e'] }, x: { type: 'uniform', low: 0, high: 1 } };
    const trials = study(space, { name: 'tpe' }, 9, 50, (a) => (a.c === 'd' ? 0 : 1) + num(a, 'x'));
    // Random search would pick 'd' about 5 times in 25.
    expect(trials.slice(25).filter((t) => t.params.c === 'd').length).toBeGreaterThanOrEqual(9);
  });

  it('ignores failed trials, and running ones without the constant liar; learns from pruned ones, ranked after the completed ones', () => {
    const space: SearchSpace = { x: { type: 'uniform', low: 0, high: 1 } };
    const base = study(space, { name: 'random' }, 5, 12, (a) => num(a, 'x'));
    const input = (trials: TrialRecord[]) => ({ space, algorithm: { name: 'tpe', constantLiar: false } as const, objective: minimize, trials, seed: 5 });
    const withNoise = [...base, { number: 12, params: { x: 0.5 }, state: 'failed', intermediate: [] } as TrialRecord];
    const withNoiseRunning = [...base, { number: 12, params: { x: 0.9 }, state: 'running', intermediate: [{ step: 1, value: 0 }] } as TrialRecord];
    // Same length history, same draws: the failed or running trial's content changes nothing.
    expect(suggest(input(withNoise))).toEqual(suggest(input(withNoiseRunning)));
    // Below the startup count, pruned trials count towards it: 9 finished + 1 pruned leaves startup.
    const nine = base.slice(0, 9);
    const pruned: TrialRecord = { number: 9, params: { x: 0.99 }, state: 'pruned', intermediate: [{ step: 3, value: 0.99 }] };
    const failed: TrialRecord = { ...pruned, state: 'failed' };
    expect(suggest(input([...nine, pruned]))).not.toEqual(suggest(input([...nine, failed])));
  });
});

describe("TPE's constant liar (trials started together)", () => {
  /** Mean and smallest distance between any two suggestions, in units of the range. */
  function spread(points: readonly (Assignment | null)[]): { mean: number; min: number } {
    const ps = points.map((p) => [num(p!, 'x') / 15, num(p!, 'y') / 15] as const);
    let sum = 0;
    let n = 0;
    let min = Infinity;
    for (let i = 0; i < ps.length; i++) {
      for (let j = i + 1; j < ps.length; j++) {
        const d = Math.hypot(ps[i]![0] - ps[j]![0], ps[i]![1] - ps[j]![1]);
        sum += d;
        n++;
        min = Math.min(min, d);
      }
    }
    return { mean: sum / n, min };
  }
  const seeds = Array.from({ length: 10 }, (_, i) => i);
  const batch = (seed: number, constantLiar: boolean | undefined): (Assignment | null)[] =>
    suggestBatch(
      {
        space: braninSpace,
        algorithm: constantLiar === undefined ? { name: 'tpe' } : { name: 'tpe', constantLiar },
        objective: minimize,
        trials: study(braninSpace, { name: 'random' }, seed, 20, branin),
        seed,
      },
      8,
    );

  it('spreads 8 parallel suggestions over the same history further apart than without it, for every seed', () => {
    const liar = seeds.map((s) => spread(batch(s, true)));
    const plain = seeds.map((s) => spread(batch(s, false)));
    seeds.forEach((s) => {
      // Without the liar the 8 differ only by their draws and crowd l(x)'s peak; with it each running one pushes the next away.
      expect(liar[s]!.min, `seed ${s}`).toBeGreaterThan(plain[s]!.min);
    });
    const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    expect(median(liar.map((x) => x.mean))).toBeGreaterThan(1.5 * median(plain.map((x) => x.mean)));
  });

  it('is on by default, and changes nothing when no trial is running', () => {
    expect(batch(3, undefined)).toEqual(batch(3, true));
    const history = study(braninSpace, { name: 'random' }, 4, 20, branin);
    const one = (constantLiar: boolean): Assignment | null => suggest({ space: braninSpace, algorithm: { name: 'tpe', constantLiar }, objective: minimize, trials: history, seed: 4 });
    expect(one(true)).toEqual(one(false));
  });

  it('is deterministic: the same history gives the same batch', () => {
    expect(batch(7, true)).toEqual(batch(7, true));
  });
});
