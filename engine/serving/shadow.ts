/**
 * Shadow mode's comparison of the candidate's answer with the baseline's. They agree when every
 * output both have agrees: integer and boolean outputs (labels) exactly; floating-point outputs of
 * shape [rows, classes] (a classifier's scores) when each row has the same argmax; other
 * floating-point outputs when every element lies within an absolute tolerance of 1e-3.
 */
import type { Outputs } from './batcher';

export const SHADOW_TOLERANCE = 1e-3;

function argmaxRows(data: ArrayLike<number>, shape: number[]): number[] | null {
  if (shape.length !== 2 || shape[1]! < 2) return null;
  const [rows, cols] = [shape[0]!, shape[1]!];
  const out: number[] = [];
  for (let r = 0; r < rows; r++) {
    let best = 0;
    for (let c = 1; c < cols; c++) if (data[r * cols + c]! > data[r * cols + best]!) best = c;
    out.push(best);
  }
  return out;
}

export function outputsAgree(baseline: Outputs, candidate: Outputs): boolean {
  for (const [name, a] of Object.entries(baseline)) {
    const b = candidate[name];
    if (!b) continue;
    if (a.shape.join('x') !== b.shape.join('x')) return false;
    const x = a.data as ArrayLike<number | bigint | boolean>;
    const y = b.data as ArrayLike<number | bigint | boolean>;
    if (x.length !== y.length) return false;
    if (a.type === 'float32' || a.type === 'float64') {
      const rowsA = argmaxRows(x as ArrayLike<number>, a.shape);
      if (rowsA) {
        const rowsB = argmaxRows(y as ArrayLike<number>, b.shape)!;
        if (rowsA.some((v, i) => v !== rowsB[i])) return false;
        continue;
      }
      for (let i = 0; i < x.length; i++) if (Math.abs(Number(x[i]) - Number(y[i])) > SHADOW_TOLERANCE) return false;
    } else {
      for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
    }
  }
  return true;
}
