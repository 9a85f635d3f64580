import { describe, expect, it } from 'vitest';
import { logGaussMass, logNdtr, ndtr, ndtri, truncNormStd } from './normal';
import { mulberry32 } from '../../dsl/ir/random';

describe('normal distribution helpers', () => {
  it('Φ and Φ⁻¹ match tabulated values and invert each other', () => {
    expect(ndtr(1.959963985)).toBeCloseTo(0.975, 6);
    expect(ndtr(-1)).toBeCloseTo(0.158655254, 6);
    for (const p of [1e-12, 1e-6, 0.01, 0.3, 0.5, 0.9, 0.999999]) expect(ndtr(ndtri(p)) / p).toBeCloseTo(1, 5);
  });

  it('log Φ stays finite and accurate far in the lower tail', () => {
    // log Φ(a) ≈ −a²/2 − log(−a) − log √(2π) for a → −∞.
    for (const a of [-20, -40, -100]) expect(logNdtr(a)).toBeCloseTo(-0.5 * a * a - Math.log(-a) - 0.5 * Math.log(2 * Math.PI) + Math.log1p(-1 / (a * a)), 3);
    expect(logNdtr(0)).toBeCloseTo(Math.log(0.5), 6);
  });

  it('log of the mass over an interval: central, one-sided, far tails and narrow cells agree with each other', () => {
    expect(Math.exp(logGaussMass(-1, 1))).toBeCloseTo(0.682689492, 6);
    expect(Math.exp(logGaussMass(1, 2))).toBeCloseTo(ndtr(2) - ndtr(1), 6);
    expect(logGaussMass(30, 31)).toBeCloseTo(logGaussMass(-31, -30), 9);
    expect(Number.isFinite(logGaussMass(60, 61))).toBe(true);
    // A narrow cell: the density times the width.
    expect(logGaussMass(1, 1 + 1e-6)).toBeCloseTo(Math.log(1e-6) - 0.5 - 0.5 * Math.log(2 * Math.PI), 5);
    // Splitting an interval splits its mass.
    const whole = Math.exp(logGaussMass(-0.5, 2.5));
    const parts = Math.exp(logGaussMass(-0.5, 0.7)) + Math.exp(logGaussMass(0.7, 0.705)) + Math.exp(logGaussMass(0.705, 2.5));
    expect(parts).toBeCloseTo(whole, 6);
    expect(logGaussMass(1, 1)).toBe(-Infinity);
  });

  it('draws from a truncated normal stay in bounds and have its mean', () => {
    const rand = mulberry32(1);
    for (const [a, b] of [[-1, 1], [0, 3], [-0.2, 50], [-100, 0.1]] as const) {
      const xs = Array.from({ length: 4000 }, () => truncNormStd(rand(), a, b));
      expect(Math.min(...xs)).toBeGreaterThanOrEqual(a);
      expect(Math.max(...xs)).toBeLessThanOrEqual(b);
      const pdf = (x: number) => Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
      const mean = (pdf(a) - pdf(b)) / (ndtr(b) - ndtr(a));
      expect(xs.reduce((s, x) => s + x, 0) / xs.length).toBeCloseTo(mean, 1);
    }
  });
});
