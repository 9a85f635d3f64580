/**
 * The precision–recall curve of one binary problem (a class against the rest): one point per
 * distinct score, highest first, and the average precision Σ (Rₖ − Rₖ₋₁)·Pₖ (the step-wise area,
 * as scikit-learn computes it; no interpolation).
 */
import { scoreGroups } from './rocCurve';

export interface PrPoint {
  recall: number;
  precision: number;
  /** The score cut-off; null for the (recall 0, precision 1) start. */
  threshold: number | null;
}

export interface PrCurve {
  points: PrPoint[];
  /** Null when the rows hold no positive (recall is undefined). */
  averagePrecision: number | null;
}

export function precisionRecallCurve(scores: readonly number[], positive: readonly boolean[]): PrCurve {
  const groups = scoreGroups(scores, positive);
  const p = positive.filter(Boolean).length;
  const points: PrPoint[] = [{ recall: 0, precision: 1, threshold: null }];
  let tp = 0;
  let predicted = 0;
  let ap = 0;
  let prevRecall = 0;
  for (const g of groups) {
    tp += g.pos;
    predicted += g.pos + g.neg;
    const recall = p === 0 ? 0 : tp / p;
    const precision = tp / predicted;
    ap += (recall - prevRecall) * precision;
    prevRecall = recall;
    points.push({ recall, precision, threshold: g.score });
  }
  return { points, averagePrecision: p === 0 ? null : ap };
}
