/**
 * Per-column standardisation `(x - mean) / std`, the feature scaling every TensorFlow.js model file
 * of the built-in components records, so predictions (TF.js or the exported ONNX graph) apply
 * exactly what training applied.
 */

export interface Standardization {
  mean: number[];
  std: number[];
}

/** Column means and standard deviations (population); constant columns get std 1. */
export function fitStandardization(x: readonly (readonly number[])[]): Standardization {
  const width = x[0]?.length ?? 0;
  const mean = Array.from({ length: width }, (_, j) => x.reduce((s, r) => s + r[j]!, 0) / x.length);
  const std = mean.map((m, j) => {
    const sd = Math.sqrt(x.reduce((s, r) => s + (r[j]! - m) ** 2, 0) / x.length);
    return sd > 1e-12 ? sd : 1; // a constant feature carries no signal; avoid dividing by zero
  });
  return { mean, std };
}

export function standardize(x: readonly (readonly number[])[], s: Standardization): number[][] {
  return x.map((r) => r.map((v, j) => (v - s.mean[j]!) / s.std[j]!));
}
