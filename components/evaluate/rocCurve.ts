/**
 * The ROC curve of one binary problem (a class against the rest): one point per distinct score,
 * highest first, and the exact area under it by the trapezoid rule. Tied scores move along the
 * diagonal together, so a tie counts half (the AUC equals the Mann–Whitney probability that a
 * random positive scores above a random negative).
 */

export interface RocPoint {
  /** False-positive rate: negatives scored ≥ threshold / all negatives. */
  fpr: number;
  /** True-positive rate (recall): positives scored ≥ threshold / all positives. */
  tpr: number;
  /** The score cut-off; null for the (0, 0) start, where nothing is predicted positive. */
  threshold: number | null;
}

export interface RocCurve {
  points: RocPoint[];
  /** Area under the curve; null when the rows hold no positive or no negative (it is undefined). */
  auc: number | null;
}

/** Distinct scores, highest first, with how many positives and negatives carry each. */
export function scoreGroups(scores: readonly number[], positive: readonly boolean[]): Array<{ score: number; pos: number; neg: number }> {
  if (scores.length !== positive.length) throw new RangeError(`${scores.length} scores but ${positive.length} labels`);
  const order = scores.map((_, i) => i).sort((a, b) => scores[b]! - scores[a]!);
  const groups: Array<{ score: number; pos: number; neg: number }> = [];
  for (const i of order) {
    const s = scores[i]!;
    let g = groups.at(-1);
    if (g?.score !== s) {
      g = { score: s, pos: 0, neg: 0 };
      groups.push(g);
    }
    if (positive[i]) g.pos++;
    else g.neg++;
  }
  return groups;
}

export function rocCurve(scores: readonly number[], positive: readonly boolean[]): RocCurve {
  const groups = scoreGroups(scores, positive);
  const p = positive.filter(Boolean).length;
  const n = positive.length - p;
  const points: RocPoint[] = [{ fpr: 0, tpr: 0, threshold: null }];
  let tp = 0;
  let fp = 0;
  let area = 0;
  for (const g of groups) {
    const prevTpr = p === 0 ? 0 : tp / p;
    const prevFpr = n === 0 ? 0 : fp / n;
    tp += g.pos;
    fp += g.neg;
    const tpr = p === 0 ? 0 : tp / p;
    const fpr = n === 0 ? 0 : fp / n;
    area += ((fpr - prevFpr) * (tpr + prevTpr)) / 2;
    points.push({ fpr, tpr, threshold: g.score });
  }
  return { points, auc: p === 0 || n === 0 ? null : area };
}
