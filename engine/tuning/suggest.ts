import type { Assignment, Objective, SearchSpace, TrialRecord, TuneAlgorithm } from '../../dsl/ir/tuneSpace';
import { suggestGrid } from './grid';
import { suggestionRng } from './rng';
import { compileSpace, randomAssignment } from './space';
import { suggestTpe, TPE_DEFAULTS } from './tpe';

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
 * that is exhausted). Deterministic: the same input gives the same answer — the random draws come
 * from the seed and the number of trials suggested before, nothing else. A conditional parameter
 * is present exactly when its condition holds.
 *
 * Throws TuningError (`invalid-search-space`, `grid-needs-step`, `grid-too-large`) for a space the
 * algorithm cannot work with, naming the parameter.
 */
export function suggest(input: SuggestInput): Assignment | null {
  const params = compileSpace(input.space);
  const { algorithm } = input;
  switch (algorithm.name) {
    case 'grid':
      return suggestGrid(params, input.trials.map((t) => t.params), input.seed);
    case 'random':
      return randomAssignment(params, suggestionRng(input.seed, input.trials.length, 'random'));
    case 'tpe':
      return suggestTpe(
        params,
        {
          startupTrials: algorithm.startupTrials ?? TPE_DEFAULTS.startupTrials,
          candidates: algorithm.candidates ?? TPE_DEFAULTS.candidates,
          multivariate: algorithm.multivariate ?? TPE_DEFAULTS.multivariate,
          constantLiar: algorithm.constantLiar ?? TPE_DEFAULTS.constantLiar,
        },
        input.objective,
        input.trials,
        suggestionRng(input.seed, input.trials.length, 'tpe'),
      );
  }
}

/**
 * `count` suggestions made at once (trials started together): each later one sees the earlier ones
 * as running trials, as the study's `suggestTrials` activity records them, so a grid never repeats
 * a point and TPE's constant liar steers away from them. Stops after the first null.
 */
export function suggestBatch(input: SuggestInput, count: number): (Assignment | null)[] {
  const trials = [...input.trials];
  const out: (Assignment | null)[] = [];
  for (let i = 0; i < count; i++) {
    const next = suggest({ ...input, trials });
    out.push(next);
    if (next === null) break;
    trials.push({ number: trials.length, params: next, state: 'running', intermediate: [] });
  }
  return out;
}
