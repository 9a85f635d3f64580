/**
 * The standard normal's CDF in log space, the log of its mass over an interval and sampling from
 * a truncated normal: what the Parzen estimators of TPE need, stable in the tails (a kernel's
 * bandwidth may be a hundredth of the range, so intervals up to ~100 σ from the mean occur).
 */

const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

/**
 * log(erfc(z)) for z ≥ 0, from the Chebyshev fit in Numerical Recipes (relative error < 1.2e-7
 * everywhere), kept in log form so it does not underflow far in the tail.
 */
function logErfcNonNeg(z: number): number {
  const t = 1 / (1 + 0.5 * z);
  const poly =
    -1.26551223 +
    t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
  return Math.log(t) - z * z + poly;
}

/** Φ(a), the standard normal CDF. */
export function ndtr(a: number): number {
  const z = a / Math.SQRT2;
  return a < 0 ? 0.5 * Math.exp(logErfcNonNeg(-z)) : 1 - 0.5 * Math.exp(logErfcNonNeg(z));
}

/** log Φ(a). */
export function logNdtr(a: number): number {
  const z = a / Math.SQRT2;
  return a < 0 ? Math.log(0.5) + logErfcNonNeg(-z) : Math.log1p(-0.5 * Math.exp(logErfcNonNeg(z)));
}

/** log φ(x), the standard normal density. */
export function logNormPdf(x: number): number {
  return -0.5 * x * x - LOG_SQRT_2PI;
}

/** log(exp(p) − exp(q)) for p ≥ q. */
function logDiff(p: number, q: number): number {
  return p + Math.log1p(-Math.exp(q - p));
}

/** log of the standard normal's mass over [a, b]. */
export function logGaussMass(a: number, b: number): number {
  if (!(b > a)) return -Infinity;
  // A narrow interval: the difference of two CDFs would lose the digits that matter, so integrate
  // the density directly (midpoint rule with its second-order correction).
  if (b - a < 1e-2) {
    const m = 0.5 * (a + b);
    const w = b - a;
    return Math.log(w) + logNormPdf(m) + Math.log1p((w * w * (m * m - 1)) / 24);
  }
  if (b <= 0) return logDiff(logNdtr(b), logNdtr(a));
  if (a > 0) return logGaussMass(-b, -a);
  return Math.log1p(-ndtr(a) - ndtr(-b));
}

/** Φ⁻¹(p) for p in (0, 1): Acklam's rational approximation refined by one Halley step. */
export function ndtri(p: number): number {
  if (p <= 0) return -Infinity;
  if (p >= 1) return Infinity;
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const lo = 0.02425;
  let x: number;
  if (p < lo) {
    const q = Math.sqrt(-2 * Math.log(p));
    x = (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) / ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  } else if (p <= 1 - lo) {
    const q = p - 0.5;
    const r = q * q;
    x = ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) / (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1);
  } else {
    const q = Math.sqrt(-2 * Math.log1p(-p));
    x = -(((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) / ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  }
  const e = ndtr(x) - p;
  const u = e * Math.exp(0.5 * x * x + LOG_SQRT_2PI);
  return x - u / (1 + (x * u) / 2);
}

/**
 * A draw from the standard normal truncated to [a, b], by inverting the CDF at a uniform `q` in
 * [0, 1); the side of the mean the interval starts on decides which tail is inverted, for precision.
 */
export function truncNormStd(q: number, a: number, b: number): number {
  let x: number;
  if (a < 0) {
    const pa = ndtr(a);
    x = ndtri(pa + q * (ndtr(b) - pa));
  } else {
    const pb = ndtr(-b);
    x = -ndtri(pb + (1 - q) * (ndtr(-a) - pb));
  }
  if (!Number.isFinite(x)) x = a < 0 ? a : b;
  return Math.min(b, Math.max(a, x));
}
