import type { Assignment, Objective, SearchSpace, TrialRecord, TuneAlgorithm } from '../../dsl/ir/tuneSpace';

export interface SuggestInput {
  space: SearchSpace;
  algorithm: TuneAlgorithm;
  objective: Objective;
  /** Every trial suggested so far (any state), by number. */
  trials: readonly TrialRecord[];
  /** The study's seed; with the history it fixes the suggestion. */
  seed: number;
}

/**
 * The parameters of the next trial, or null when the algorithm has nothing left to suggest (a grid
 * that is exhausted). Deterministic: the same input gives the same answer.
 *
 * Scaffold: seeded random sampling for every algorithm, until grid and TPE land.
 */
export function suggest(input: SuggestInput): Assignment | null {
  const rand = mulberry32(input.seed ^ Math.imul(input.trials.length + 1, 0x9e3779b1));
  const out: Assignment = {};
  for (const [name, p] of Object.entries(input.space)) {
    if (p.when && !p.when.in.includes(out[p.when.param] as never)) continue;
    switch (p.type) {
      case 'uniform':
        out[name] = p.low + rand() * (p.high - p.low);
        break;
      case 'logUniform':
        out[name] = Math.exp(Math.log(p.low) + rand() * (Math.log(p.high) - Math.log(p.low)));
        break;
      case 'intRange': {
        const step = p.step ?? 1;
        out[name] = p.low + step * Math.floor(rand() * (Math.floor((p.high - p.low) / step) + 1));
        break;
      }
      case 'choice':
        out[name] = p.values[Math.floor(rand() * p.values.length)]!;
        break;
    }
  }
  return out;
}

/** A small seeded PRNG (mulberry32): uniform in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
