/**
 * The `ClassificationMetrics` artifact: computed from actual labels, predicted labels and (when
 * given) the model's class scores. Pure, so it is tested on hand-made cases. Written as indented
 * JSON; the editor draws `confusionMatrix` as a heatmap and `roc` / `pr` as line charts.
 *
 * ```json
 * {
 *   "accuracy": 0.93, "n": 30,
 *   "perClass": [{ "label": "setosa", "precision": 1, "recall": 1, "f1": 1, "support": 10,
 *                  "rocAuc": 1, "averagePrecision": 1 }, …],
 *   "macro": { "precision": 0.94, "recall": 0.93, "f1": 0.93, "rocAuc": 0.99 },
 *   "confusionMatrix": { "labels": ["setosa", …], "matrix": [[10, 0, 0], [0, 9, 1], [0, 1, 9]] },
 *   "roc": [{ "label": "setosa", "auc": 1,
 *             "points": [{ "fpr": 0, "tpr": 0, "threshold": null }, { "fpr": 0, "tpr": 0.1, "threshold": 0.99 }, …] }, …],
 *   "pr":  [{ "label": "setosa", "averagePrecision": 1,
 *             "points": [{ "recall": 0, "precision": 1, "threshold": null }, …] }, …]
 * }
 * ```
 *
 * - `confusionMatrix.matrix[i][j]`: rows whose actual label is `labels[i]`, predicted `labels[j]`
 *   (rows: actual, columns: predicted).
 * - `roc` / `pr`: one curve per class, one-vs-rest (the class's score against all other rows),
 *   points ordered by falling threshold, so `fpr`/`tpr` and `recall` never decrease. Curves of more
 *   than `MAX_CURVE_POINTS` points are thinned evenly for drawing (first and last kept); `auc` and
 *   `averagePrecision` are always computed from every point.
 * - `rocAuc` is exact (trapezoids over every distinct score, ties count half); `macro.rocAuc` is the
 *   unweighted mean over classes whose AUC is defined. AUC is null for a class with no positive or
 *   no negative test row, or no score (a label the model does not know). `roc`, `pr`, `rocAuc` and
 *   `averagePrecision` are absent when no scores were given.
 */
import { precisionRecallCurve, type PrPoint } from './precisionRecallCurve';
import { rocCurve, type RocPoint } from './rocCurve';

export interface ClassMetrics {
  label: string;
  precision: number;
  recall: number;
  f1: number;
  /** Rows whose actual label is this class. */
  support: number;
  rocAuc?: number | null;
  averagePrecision?: number | null;
}

export interface ClassificationMetrics {
  accuracy: number;
  /** Rows evaluated. */
  n: number;
  perClass: ClassMetrics[];
  /** Unweighted means over classes. */
  macro: { precision: number; recall: number; f1: number; rocAuc?: number | null };
  /** `matrix[i][j]`: rows whose actual label is `labels[i]` and predicted label is `labels[j]`. */
  confusionMatrix: { labels: string[]; matrix: number[][] };
  roc?: Array<{ label: string; auc: number | null; points: RocPoint[] }>;
  pr?: Array<{ label: string; averagePrecision: number | null; points: PrPoint[] }>;
}

export const MAX_CURVE_POINTS = 1000;

const ratio = (a: number, b: number): number => (b === 0 ? 0 : a / b);

/** At most `max` points, evenly spaced, first and last kept (for drawing only). */
function thin<P>(points: P[], max = MAX_CURVE_POINTS): P[] {
  if (points.length <= max) return points;
  const step = (points.length - 1) / (max - 1);
  return Array.from({ length: max }, (_, k) => points[Math.round(k * step)]!);
}

/**
 * `labels` fixes the order of classes (e.g. the model's classes); labels that occur in the data but
 * not in `labels` are appended, sorted. A class never predicted has precision 0 (not NaN).
 * `scores[r][k]`, when given, is the model's score (probability) for `labels[k]` on row r.
 */
export function classificationMetrics(
  actual: readonly string[],
  predicted: readonly string[],
  labels: readonly string[] = [],
  scores?: readonly (readonly number[])[],
): ClassificationMetrics {
  if (actual.length !== predicted.length) {
    throw new RangeError(`classificationMetrics: ${actual.length} actual labels but ${predicted.length} predictions`);
  }
  if (scores && scores.length !== actual.length) {
    throw new RangeError(`classificationMetrics: ${actual.length} actual labels but ${scores.length} score rows`);
  }
  if (scores?.some((row) => row.length !== labels.length)) {
    throw new RangeError(`classificationMetrics: every score row needs one score per label (${labels.length})`);
  }
  const known = new Set(labels);
  const extra = [...new Set([...actual, ...predicted])].filter((l) => !known.has(l)).sort();
  const all = [...labels, ...extra];
  const index = new Map(all.map((l, i) => [l, i]));
  const matrix = all.map(() => all.map(() => 0));
  actual.forEach((a, r) => {
    matrix[index.get(a)!]![index.get(predicted[r]!)!]!++;
  });

  const perClass = all.map((label, i): ClassMetrics => {
    const tp = matrix[i]![i]!;
    const support = matrix[i]!.reduce((s, v) => s + v, 0);
    const predictedCount = matrix.reduce((s, row) => s + row[i]!, 0);
    const precision = ratio(tp, predictedCount);
    const recall = ratio(tp, support);
    return { label, precision, recall, f1: ratio(2 * precision * recall, precision + recall), support };
  });
  const mean = (k: 'precision' | 'recall' | 'f1'): number => ratio(perClass.reduce((s, c) => s + c[k], 0), perClass.length);
  const correct = all.reduce((s, _, i) => s + matrix[i]![i]!, 0);
  const result: ClassificationMetrics = {
    accuracy: ratio(correct, actual.length),
    n: actual.length,
    perClass,
    macro: { precision: mean('precision'), recall: mean('recall'), f1: mean('f1') },
    confusionMatrix: { labels: all, matrix },
  };
  if (!scores) return result;

  result.roc = [];
  result.pr = [];
  perClass.forEach((c, k) => {
    if (k >= labels.length) {
      // A label only the data knows: the model gave it no score.
      c.rocAuc = null;
      c.averagePrecision = null;
      return;
    }
    const classScores = scores.map((row) => row[k]!);
    const positive = actual.map((a) => a === c.label);
    const roc = rocCurve(classScores, positive);
    const pr = precisionRecallCurve(classScores, positive);
    c.rocAuc = roc.auc;
    c.averagePrecision = pr.averagePrecision;
    result.roc!.push({ label: c.label, auc: roc.auc, points: thin(roc.points) });
    result.pr!.push({ label: c.label, averagePrecision: pr.averagePrecision, points: thin(pr.points) });
  });
  const aucs = perClass.flatMap((c) => (typeof c.rocAuc === 'number' ? [c.rocAuc] : []));
  result.macro.rocAuc = aucs.length === 0 ? null : aucs.reduce((a, b) => a + b, 0) / aucs.length;
  return result;
}
