/**
 * What the algorithms need to know of a search space: each parameter's domain (validated, with
 * steps and bounds made exact), whether a conditional parameter is active under an assignment,
 * and plain random sampling.
 */
import type { Assignment, ParamValue, SearchParam, SearchSpace } from '../../dsl/ir/tuneSpace';
import { TuningError } from './errors';

/** A numeric parameter. `step` set: values low, low+step, …, high (high already on the grid). */
export interface NumericDomain {
  kind: 'numeric';
  low: number;
  high: number;
  step?: number;
  log: boolean;
  int: boolean;
}
export interface CategoricalDomain {
  kind: 'categorical';
  values: readonly ParamValue[];
}
export type Domain = NumericDomain | CategoricalDomain;

export interface SpaceParam {
  name: string;
  param: SearchParam;
  domain: Domain;
}

/** Rounds away the float noise of low + k·step (0.1 + 2·0.1 is 0.30000000000000004). */
export function onGrid(low: number, step: number, k: number): number {
  return Number.parseFloat((low + k * step).toPrecision(14));
}

function invalid(name: string, what: string): TuningError {
  return new TuningError('invalid-search-space', `search parameter '${name}': ${what}`, name);
}

function domainOf(name: string, p: SearchParam): Domain {
  switch (p.type) {
    case 'uniform': {
      if (!Number.isFinite(p.low) || !Number.isFinite(p.high) || p.low > p.high) throw invalid(name, `uniform needs finite bounds with low ≤ high (got ${p.low}, ${p.high})`);
      if (p.step === undefined) return { kind: 'numeric', low: p.low, high: p.high, log: false, int: false };
      const high = onGrid(p.low, p.step, Math.floor((p.high - p.low) / p.step + 1e-9));
      return { kind: 'numeric', low: p.low, high, step: p.step, log: false, int: false };
    }
    case 'logUniform':
      if (!(p.low > 0) || !Number.isFinite(p.high) || p.low > p.high) throw invalid(name, `logUniform needs 0 < low ≤ high (got ${p.low}, ${p.high})`);
      return { kind: 'numeric', low: p.low, high: p.high, log: true, int: false };
    case 'intRange': {
      const step = p.step ?? 1;
      if (p.low > p.high) throw invalid(name, `intRange needs low ≤ high (got ${p.low}, ${p.high})`);
      if (p.log && p.low - step / 2 <= 0) throw invalid(name, `a log-scaled intRange needs low > step/2, so low ≥ 1 with step 1 (got low ${p.low}, step ${step})`);
      const high = p.low + step * Math.floor((p.high - p.low) / step);
      return { kind: 'numeric', low: p.low, high, step, log: p.log ?? false, int: true };
    }
    case 'choice': {
      if (p.values.length === 0) throw invalid(name, 'choice needs at least one value');
      const seen = new Set<ParamValue>();
      for (const v of p.values) {
        if (seen.has(v)) throw invalid(name, `choice lists ${JSON.stringify(v)} twice`);
        seen.add(v);
      }
      return { kind: 'categorical', values: p.values };
    }
  }
}

/** The space's parameters in drawing order, validated: bounds, choices, and conditions that refer to an earlier parameter. */
export function compileSpace(space: SearchSpace): SpaceParam[] {
  const out: SpaceParam[] = [];
  const seen = new Set<string>();
  for (const [name, param] of Object.entries(space)) {
    if (param.when && !seen.has(param.when.param)) {
      throw invalid(name, `its condition refers to '${param.when.param}', which is not a parameter defined before it`);
    }
    out.push({ name, param, domain: domainOf(name, param) });
    seen.add(name);
  }
  return out;
}

/** Whether a parameter exists under the values drawn so far (absent parent: absent child). */
export function isActive(p: SpaceParam, drawn: Assignment): boolean {
  const w = p.param.when;
  if (!w) return true;
  return Object.hasOwn(drawn, w.param) && w.in.includes(drawn[w.param]!);
}

/** Whether a domain has only one value (nothing to choose). */
export function singleValue(d: Domain): ParamValue | undefined {
  if (d.kind === 'categorical') return d.values.length === 1 ? d.values[0] : undefined;
  return d.low === d.high ? d.low : undefined;
}

/** How many values a discrete domain has (undefined for a continuous one), without listing them. */
export function gridCount(d: Domain): number | undefined {
  if (d.kind === 'categorical') return d.values.length;
  if (d.low === d.high) return 1;
  if (d.step === undefined) return undefined;
  return Math.round((d.high - d.low) / d.step) + 1;
}

/** Every value of a discrete domain, in order; undefined for a continuous one. */
export function gridValues(d: Domain): readonly ParamValue[] | undefined {
  if (d.kind === 'categorical') return d.values;
  if (d.low === d.high) return [d.low];
  if (d.step === undefined) return undefined;
  const n = Math.round((d.high - d.low) / d.step) + 1;
  return Array.from({ length: n }, (_, k) => (d.int ? d.low + k * d.step! : onGrid(d.low, d.step!, k)));
}

/** Snaps a value in [low, high] to the domain's grid (if it has one). */
export function snap(d: NumericDomain, x: number): number {
  if (d.step === undefined) return Math.min(d.high, Math.max(d.low, x));
  const k = Math.round((x - d.low) / d.step);
  const v = d.int ? d.low + k * d.step : onGrid(d.low, d.step, k);
  return Math.min(d.high, Math.max(d.low, v));
}

/** A uniform draw from a domain (log-uniform where it is log-scaled). */
export function sampleUniform(d: Domain, rand: () => number): ParamValue {
  if (d.kind === 'categorical') return d.values[Math.floor(rand() * d.values.length)]!;
  if (d.log) {
    const half = d.step === undefined ? 0 : d.step / 2;
    const lo = Math.log(d.low - half);
    const hi = Math.log(d.high + half);
    return snap(d, Math.exp(lo + rand() * (hi - lo)));
  }
  if (d.step === undefined) return d.low + rand() * (d.high - d.low);
  const n = Math.round((d.high - d.low) / d.step) + 1;
  const k = Math.min(n - 1, Math.floor(rand() * n));
  return d.int ? d.low + k * d.step : onGrid(d.low, d.step, k);
}

/** A random assignment: every active parameter drawn uniformly, in space order. */
export function randomAssignment(params: readonly SpaceParam[], rand: () => number): Assignment {
  const out: Assignment = {};
  for (const p of params) {
    if (!isActive(p, out)) continue;
    out[p.name] = sampleUniform(p.domain, rand);
  }
  return out;
}
