/**
 * The `ClassificationMetrics` artifact: accuracy, per-class precision/recall/F1 and the confusion
 * matrix, computed from actual and predicted labels. Pure, so it is tested on hand-made cases.
 */

export interface ClassMetrics {
  label: string;
  precision: number;
  recall: number;
  f1: number;
  /** Rows whose actual label is this class. */
  support: number;
}

export interface ClassificationMetrics {
  accuracy: number;
  /** Rows evaluated. */
  n: number;
  perClass: ClassMetrics[];
  /** Unweighted means over classes. */
  macro: { precision: number; recall: number; f1: number };
  /** `matrix[i][j]`: rows whose actual label is `labels[i]` and predicted label is `labels[j]`. */
  confusionMatrix: { labels: string[]; matrix: number[][] };
}

const ratio = (a: number, b: number): number => (b === 0 ? 0 : a / b);

/**
 * `labels` fixes the order of classes (e.g. the model's classes); labels that occur in the data but
 * not in `labels` are appended, sorted. A class never predicted has precision 0 (not NaN).
 */
export function classificationMetrics(
  actual: readonly string[],
  predicted: readonly string[],
  labels: readonly string[] = [],
): ClassificationMetrics {
  if (actual.length !== predicted.length) {
    throw new RangeError(`classificationMetrics: ${actual.length} actual labels but ${predicted.length} predictions`);
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
  return {
    accuracy: ratio(correct, actual.length),
    n: actual.length,
    perClass,
    macro: { precision: mean('precision'), recall: mean('recall'), f1: mean('f1') },
    confusionMatrix: { labels: all, matrix },
  };
}
