/**
 * Tree-structured Parzen Estimator (Bergstra et al., "Algorithms for Hyper-Parameter
 * Optimization", NeurIPS 2011), with the behaviour Optuna documents for its TPESampler (read from
 * Optuna 5's sources, re-implemented here):
 *
 * - the first `startupTrials` (10) suggestions are random; finished trials (succeeded, and pruned
 *   ones) count, failed and running ones do not;
 * - finished trials are ranked (succeeded by value, then pruned ones by how far they got — later
 *   last step first — and then by their last intermediate value) and the best γ(n) = min(⌈0.1·n⌉, 25)
 *   form l(x), the rest g(x);
 * - each of l and g is a mixture with one kernel per observation plus a prior kernel (weight 1,
 *   centred, as wide as the range); g's observation weights ramp up linearly for the oldest trials
 *   beyond the newest 25;
 * - a numeric kernel is a normal truncated to the range, its σ the larger gap to its neighbours
 *   (the end kernels use their inner gap only), clipped to [range / min(100, n + 2), range] (the
 *   "magic clip"); log-scaled parameters are modelled in log space; stepped ones as the mass of
 *   the kernel over each grid cell;
 * - a categorical kernel puts 1 + 1/(n+1) on its observed value and 1/(n+1) on every other, normalised;
 * - `candidates` (24) points are drawn from l and the one with the largest log l − log g wins;
 * - multivariate (the default): the unconditional parameters are drawn jointly (a product kernel
 *   per observation); a conditional parameter, and every parameter when `multivariate` is false,
 *   is drawn on its own from the trials that have it;
 * - constant liar (Optuna's `constant_liar=True`, our default): running trials join g(x) as if they
 *   had the worst value, so trials suggested while others run avoid their neighbourhood; they
 *   still count neither for the startup trials nor for γ(n), as in Optuna.
 */
import type { Assignment, Objective, ParamValue, TrialRecord } from '../../dsl/ir/tuneSpace';
import { logGaussMass, logNormPdf, truncNormStd } from './normal';
import { isActive, randomAssignment, sampleUniform, singleValue, snap, type Domain, type NumericDomain, type SpaceParam } from './space';

export interface TpeSettings {
  startupTrials: number;
  candidates: number;
  multivariate: boolean;
  /** Running trials go to g(x) as if they were the worst (Optuna's `constant_liar`). */
  constantLiar: boolean;
}

// constantLiar defaults on (Optuna's is off, an "experimental" flag there): it changes nothing for
// trials run one at a time, and Sluice's parallel suggestions otherwise all see the same history.
export const TPE_DEFAULTS: TpeSettings = { startupTrials: 10, candidates: 24, multivariate: true, constantLiar: true };

const PRIOR_WEIGHT = 1;

/** γ(n): how many of n finished trials form the "good" density l(x). */
export function gamma(n: number): number {
  return Math.min(Math.ceil(0.1 * n), 25);
}

/** Observation weights of a Parzen estimator over n trials in trial order: the oldest beyond the newest 25 ramp up from 1/n. */
export function observationWeights(n: number): number[] {
  if (n < 25) return Array.from({ length: n }, () => 1);
  const ramp = n - 25;
  const w: number[] = [];
  for (let i = 0; i < ramp; i++) w.push(ramp === 1 ? 1 / n : 1 / n + ((1 - 1 / n) * i) / (ramp - 1));
  for (let i = 0; i < 25; i++) w.push(1);
  return w;
}

interface Finished {
  trial: TrialRecord;
  /** Sort key: lower is better. */
  rank: [number, number, number];
}

/**
 * Finished trials split into the best γ(n) and the rest, each in trial order. Succeeded trials
 * rank first (by value), pruned ones after them (the further they got the better, then by their
 * last intermediate value; a pruned trial with no value last). With `liar`, running trials join
 * the rest whatever they reported so far (Optuna's constant liar); otherwise they are ignored.
 */
export function splitTrials(trials: readonly TrialRecord[], objective: Objective, liar = false): { below: TrialRecord[]; above: TrialRecord[] } {
  const sign = objective.goal === 'minimize' ? 1 : -1;
  const finished: Finished[] = [];
  for (const t of trials) {
    if (t.state === 'succeeded' && t.value !== undefined && Number.isFinite(t.value)) {
      finished.push({ trial: t, rank: [0, sign * t.value, 0] });
    } else if (t.state === 'pruned') {
      const last = t.intermediate.reduce<{ step: number; value: number } | undefined>((m, iv) => (m === undefined || iv.step >= m.step ? iv : m), undefined);
      if (!last) finished.push({ trial: t, rank: [1, 1, 0] });
      else finished.push({ trial: t, rank: [1, -last.step, Number.isNaN(last.value) ? Infinity : sign * last.value] });
    }
  }
  const nBelow = gamma(finished.length);
  const sorted = [...finished].sort((x, y) => x.rank[0] - y.rank[0] || x.rank[1] - y.rank[1] || x.rank[2] - y.rank[2] || x.trial.number - y.trial.number);
  const byNumber = (a: TrialRecord, b: TrialRecord): number => a.number - b.number;
  const running = liar ? trials.filter((t) => t.state === 'running') : [];
  return {
    below: sorted.slice(0, nBelow).map((f) => f.trial).sort(byNumber),
    above: [...sorted.slice(nBelow).map((f) => f.trial), ...running].sort(byNumber),
  };
}

/** How many trials TPE learns from (succeeded with a value, or pruned). */
export function countFinished(trials: readonly TrialRecord[]): number {
  return trials.filter((t) => t.state === 'pruned' || (t.state === 'succeeded' && t.value !== undefined && Number.isFinite(t.value))).length;
}

type Dim =
  | { kind: 'categorical'; size: number; probs: number[][] }
  | { kind: 'numeric'; domain: NumericDomain; lo: number; hi: number; mus: number[]; sigmas: number[] };

interface Parzen {
  logWeights: number[];
  weights: number[];
  dims: Dim[];
}

/** A parameter's value as TPE models it: the index of a choice, the number otherwise; undefined if it does not fit the domain. */
function internal(d: Domain, v: ParamValue | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (d.kind === 'categorical') {
    const i = d.values.indexOf(v);
    return i < 0 ? undefined : i;
  }
  if (typeof v !== 'number' || !Number.isFinite(v) || v < d.low || v > d.high) return undefined;
  return v;
}

/** The modelled range of a numeric domain: grid cells' outer edges, in log space if log-scaled. */
function modelRange(d: NumericDomain): [number, number] {
  const half = d.step === undefined ? 0 : d.step / 2;
  const lo = d.low - half;
  const hi = d.high + half;
  return d.log ? [Math.log(lo), Math.log(hi)] : [lo, hi];
}

function numericDim(d: NumericDomain, obs: number[]): Dim {
  const [lo, hi] = modelRange(d);
  const range = hi - lo;
  const mus = obs.map((x) => (d.log ? Math.log(x) : x));
  const n = mus.length;
  const order = mus.map((_, i) => i).sort((a, b) => mus[a]! - mus[b]! || a - b);
  const sorted = order.map((i) => mus[i]!);
  const withEnds = [lo, ...sorted, hi];
  const sortedSigmas = sorted.map((_, j) => Math.max(withEnds[j + 1]! - withEnds[j]!, withEnds[j + 2]! - withEnds[j + 1]!));
  if (n >= 2) {
    // The endpoints are not neighbours: the outermost kernels take their inner gap.
    sortedSigmas[0] = withEnds[2]! - withEnds[1]!;
    sortedSigmas[n - 1] = withEnds[n]! - withEnds[n - 1]!;
  }
  const minSigma = range / Math.min(100, n + 2);
  const sigmas = new Array<number>(n);
  order.forEach((i, j) => {
    sigmas[i] = Math.min(range, Math.max(minSigma, sortedSigmas[j]!));
  });
  mus.push(0.5 * (lo + hi));
  sigmas.push(range);
  return { kind: 'numeric', domain: d, lo, hi, mus, sigmas };
}

function categoricalDim(size: number, obs: number[]): Dim {
  if (obs.length === 0) return { kind: 'categorical', size, probs: [Array.from({ length: size }, () => 1 / size)] };
  const kernels = obs.length + 1;
  const probs = Array.from({ length: kernels }, (_, k) => {
    const row = Array.from({ length: size }, () => PRIOR_WEIGHT / kernels);
    if (k < obs.length) row[obs[k]!]! += 1;
    const sum = row.reduce((s, x) => s + x, 0);
    return row.map((x) => x / sum);
  });
  return { kind: 'categorical', size, probs };
}

export function buildParzen(domains: readonly Domain[], rows: readonly number[][]): Parzen {
  const n = rows.length;
  const raw = n === 0 ? [1] : [...observationWeights(n), PRIOR_WEIGHT];
  const total = raw.reduce((s, x) => s + x, 0);
  const weights = raw.map((w) => w / total);
  const dims = domains.map((d, i) => {
    const obs = rows.map((r) => r[i]!);
    return d.kind === 'categorical' ? categoricalDim(d.values.length, obs) : numericDim(d, obs);
  });
  return { weights, logWeights: weights.map(Math.log), dims };
}

function pick(probs: readonly number[], u: number): number {
  let acc = 0;
  for (let i = 0; i < probs.length; i++) {
    acc += probs[i]!;
    if (u < acc) return i;
  }
  return probs.length - 1;
}

function sampleParzen(pe: Parzen, rand: () => number): number[] {
  const k = pick(pe.weights, rand());
  return pe.dims.map((dim) => {
    if (dim.kind === 'categorical') return pick(dim.probs[dim.probs.length === 1 ? 0 : k]!, rand());
    const mu = dim.mus[k]!;
    const s = dim.sigmas[k]!;
    let x = mu + s * truncNormStd(rand(), (dim.lo - mu) / s, (dim.hi - mu) / s);
    if (dim.domain.log) x = Math.exp(x);
    return snap(dim.domain, x);
  });
}

export function logPdfParzen(pe: Parzen, x: readonly number[]): number {
  const terms = pe.logWeights.map((lw, k) => {
    let lp = lw;
    for (let i = 0; i < pe.dims.length; i++) {
      const dim = pe.dims[i]!;
      if (dim.kind === 'categorical') {
        lp += Math.log(dim.probs[dim.probs.length === 1 ? 0 : k]![x[i]!]!);
        continue;
      }
      const mu = dim.mus[k]!;
      const s = dim.sigmas[k]!;
      const d = dim.domain;
      const norm = logGaussMass((dim.lo - mu) / s, (dim.hi - mu) / s);
      if (d.step === undefined) {
        const v = d.log ? Math.log(x[i]!) : x[i]!;
        lp += logNormPdf((v - mu) / s) - Math.log(s) - norm;
      } else {
        let left = x[i]! - d.step / 2;
        let right = x[i]! + d.step / 2;
        if (d.log) [left, right] = [Math.log(left), Math.log(right)];
        lp += logGaussMass((left - mu) / s, (right - mu) / s) - norm;
      }
    }
    return lp;
  });
  const max = Math.max(...terms);
  if (max === -Infinity) return -Infinity;
  return max + Math.log(terms.reduce((s, t) => s + Math.exp(t - max), 0));
}

/** The observations of a group of parameters: one row per trial that has all of them with valid values. */
function observations(params: readonly SpaceParam[], trials: readonly TrialRecord[]): number[][] {
  const rows: number[][] = [];
  for (const t of trials) {
    const row = params.map((p) => internal(p.domain, t.params[p.name]));
    if (row.every((v) => v !== undefined)) rows.push(row);
  }
  return rows;
}

/** One group's values by TPE: draw candidates from l, keep the one with the largest l/g. */
function sampleGroup(params: readonly SpaceParam[], below: readonly TrialRecord[], above: readonly TrialRecord[], candidates: number, rand: () => number): Assignment {
  const domains = params.map((p) => p.domain);
  const l = buildParzen(domains, observations(params, below));
  const g = buildParzen(domains, observations(params, above));
  let best: number[] | undefined;
  let bestScore = -Infinity;
  for (let c = 0; c < candidates; c++) {
    const x = sampleParzen(l, rand);
    const score = logPdfParzen(l, x) - logPdfParzen(g, x);
    if (best === undefined || score > bestScore) {
      best = x;
      bestScore = score;
    }
  }
  const out: Assignment = {};
  params.forEach((p, i) => {
    const d = p.domain;
    out[p.name] = d.kind === 'categorical' ? d.values[best![i]!]! : best![i]!;
  });
  return out;
}

/** The next trial's parameters by TPE. */
export function suggestTpe(params: readonly SpaceParam[], settings: TpeSettings, objective: Objective, trials: readonly TrialRecord[], rand: () => number): Assignment {
  if (countFinished(trials) < settings.startupTrials) return randomAssignment(params, rand);
  const { below, above } = splitTrials(trials, objective, settings.constantLiar);
  const drawn: Assignment = {};
  if (settings.multivariate) {
    const joint = params.filter((p) => !p.param.when && singleValue(p.domain) === undefined);
    if (joint.length > 0) Object.assign(drawn, sampleGroup(joint, below, above, settings.candidates, rand));
  }
  const out: Assignment = {};
  for (const p of params) {
    if (!isActive(p, out)) continue;
    const only = singleValue(p.domain);
    if (Object.hasOwn(drawn, p.name)) out[p.name] = drawn[p.name]!;
    else if (only !== undefined) out[p.name] = only;
    else out[p.name] = sampleGroup([p], below, above, settings.candidates, rand)[p.name] ?? sampleUniform(p.domain, rand);
  }
  return out;
}
