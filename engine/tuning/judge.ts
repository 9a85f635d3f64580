import type { EarlyStopping, Objective, TrialRecord } from '../../dsl/ir/tuneSpace';

export interface JudgeInput {
  rule: EarlyStopping;
  objective: Objective;
  /** The trial being judged, with its intermediate values so far. */
  trial: TrialRecord;
  /** Every other trial of the study. */
  others: readonly TrialRecord[];
  /**
   * The trial's last step at its previous judgement, when the engine judges a batch of new steps
   * at once; ASHA then judges every rung the trial crossed after it. Absent: the trial is judged on
   * every report, and ASHA judges the rung crossed at the last step, if any.
   */
  judgedThrough?: number;
}

export type Judgement = { stop: false } | { stop: true; step: number; reason: string };

export const MEDIAN_DEFAULTS = { startupTrials: 5, warmupSteps: 0 } as const;
/** Optuna's and Ray Tune's default η for successive halving. */
export const ASHA_DEFAULT_REDUCTION_FACTOR = 4;

const KEEP: Judgement = { stop: false };

/** A figure for a reason: short, but never rounded to something that hides the difference. */
function fmt(x: number): string {
  return Number.isInteger(x) ? String(x) : String(Number.parseFloat(x.toPrecision(4)));
}

function lastPoint(t: TrialRecord): { step: number; value: number } | undefined {
  let last: { step: number; value: number } | undefined;
  for (const iv of t.intermediate) if (last === undefined || iv.step >= last.step) last = iv;
  return last;
}

/** The median of a non-empty list (the mean of the middle two for an even count). */
function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/**
 * The median stopping rule with Optuna's MedianPruner semantics: once `startupTrials` trials have
 * succeeded and the trial's last step is past `warmupSteps`, the trial's best intermediate value
 * so far is compared with the median of the succeeded trials' values at that same step; worse
 * stops it. No succeeded trial reported that step: no verdict.
 */
function judgeMedian(rule: Extract<EarlyStopping, { rule: 'median' }>, input: JudgeInput): Judgement {
  const { trial, objective } = input;
  const completed = input.others.filter((t) => t.number !== trial.number && t.state === 'succeeded');
  if (completed.length === 0 || completed.length < (rule.startupTrials ?? MEDIAN_DEFAULTS.startupTrials)) return KEEP;
  const last = lastPoint(trial);
  if (!last || last.step < (rule.warmupSteps ?? MEDIAN_DEFAULTS.warmupSteps)) return KEEP;
  const minimize = objective.goal === 'minimize';
  const values = trial.intermediate.map((iv) => iv.value).filter((v) => !Number.isNaN(v));
  if (values.length === 0) return { stop: true, step: last.step, reason: `${objective.metric} is NaN at every step up to step ${last.step}` };
  const best = minimize ? Math.min(...values) : Math.max(...values);
  const atStep = completed.flatMap((t) => t.intermediate.filter((iv) => iv.step === last.step && !Number.isNaN(iv.value)).map((iv) => iv.value));
  if (atStep.length === 0) return KEEP;
  const med = median(atStep);
  if (minimize ? best > med : best < med) {
    const n = atStep.length;
    return {
      stop: true,
      step: last.step,
      reason: `${objective.metric} ${fmt(best)} (its best by step ${last.step}) is worse than the median ${fmt(med)} of ${n} completed trial${n === 1 ? '' : 's'} at step ${last.step}`,
    };
  }
  return KEEP;
}

/** The trial's first reported step at or past a rung, with its value there. */
function atRung(t: TrialRecord, rung: number): { step: number; value: number } | undefined {
  let hit: { step: number; value: number } | undefined;
  for (const iv of t.intermediate) if (iv.step >= rung && (hit === undefined || iv.step < hit.step)) hit = iv;
  return hit;
}

/** The rungs minResource·η^k below maxResource (unbounded without one) up to `upTo`. */
export function ashaRungs(minResource: number, eta: number, maxResource: number | undefined, upTo: number): number[] {
  const rungs: number[] = [];
  for (let r = minResource; r <= upTo && (maxResource === undefined || r < maxResource); r *= eta) rungs.push(r);
  return rungs;
}

/**
 * Asynchronous successive halving (Li et al. 2020) as Optuna's SuccessiveHalvingPruner decides
 * it: rungs at minResource·η^k steps (below maxResource); a trial never waits for others; it is
 * judged once per rung, when it reports the first step at or past the rung, against every trial
 * that has reached that rung by then (each with its value at its own first step there), and
 * stopped unless it is in the top ⌊n/η⌋ — while fewer than η trials reached the rung, unless it is
 * the best of them, as Optuna does, since a stopped trial cannot be resumed later.
 */
function judgeAsha(rule: Extract<EarlyStopping, { rule: 'asha' }>, input: JudgeInput): Judgement {
  const { trial, objective } = input;
  const eta = rule.reductionFactor ?? ASHA_DEFAULT_REDUCTION_FACTOR;
  const last = lastPoint(trial);
  if (!last) return KEEP;
  const minimize = objective.goal === 'minimize';
  for (const rung of ashaRungs(rule.minResource, eta, rule.maxResource, last.step)) {
    const mine = atRung(trial, rung)!;
    if (input.judgedThrough === undefined ? mine.step !== last.step : mine.step <= input.judgedThrough) continue;
    if (Number.isNaN(mine.value)) return { stop: true, step: last.step, reason: `${objective.metric} is NaN at rung ${rung} (step ${mine.step})` };
    const competing = [mine.value];
    for (const t of input.others) {
      if (t.number === trial.number) continue;
      const v = atRung(t, rung)?.value;
      if (v !== undefined && !Number.isNaN(v)) competing.push(v);
    }
    competing.sort((a, b) => (minimize ? a - b : b - a));
    const keep = Math.max(1, Math.floor(competing.length / eta));
    const cut = competing[keep - 1]!;
    if (minimize ? mine.value <= cut : mine.value >= cut) continue;
    const n = competing.length;
    const share = n < eta ? 'not the best' : `not in the top 1/${eta} (${keep} of ${n})`;
    return {
      stop: true,
      step: last.step,
      reason: `${objective.metric} ${fmt(mine.value)} at rung ${rung} (step ${mine.step}) is ${share} of the ${n} trials that reached it: the cut is ${fmt(cut)}`,
    };
  }
  return KEEP;
}

/**
 * Whether an early-stopping rule stops a running trial now. Pure: a function of the recorded
 * values only, so a replay reaches the same verdicts. A stop carries the trial's last step and the
 * reason in words.
 */
export function judgeTrial(input: JudgeInput): Judgement {
  switch (input.rule.rule) {
    case 'median':
      return judgeMedian(input.rule, input);
    case 'asha':
      return judgeAsha(input.rule, input);
  }
}
