/**
 * The blessing rule of `evaluate-classifier`: a candidate model is blessed when its chosen metric
 * reaches an absolute minimum and, when there is a baseline, is at least the baseline's value minus
 * a threshold (all metrics here are higher-is-better; a negative threshold demands an improvement).
 * Pure, with the Markdown that explains the decision.
 */
import type { ClassificationMetrics } from './classificationMetrics';

export const BLESSING_METRICS = ['accuracy', 'macroF1', 'macroPrecision', 'macroRecall', 'rocAuc'] as const;
export type BlessingMetric = (typeof BLESSING_METRICS)[number];

/** The metric's value; null when it is undefined for these rows (ROC AUC with one class). */
export function metricValue(m: ClassificationMetrics, metric: BlessingMetric): number | null {
  switch (metric) {
    case 'accuracy':
      return m.accuracy;
    case 'macroF1':
      return m.macro.f1;
    case 'macroPrecision':
      return m.macro.precision;
    case 'macroRecall':
      return m.macro.recall;
    case 'rocAuc':
      return m.macro.rocAuc ?? null;
  }
}

export interface BlessingCheck {
  rule: string;
  passed: boolean;
}

export interface Blessing {
  blessed: boolean;
  metric: BlessingMetric;
  candidate: number;
  baseline: number | null;
  checks: BlessingCheck[];
}

const f = (x: number): string => x.toFixed(4);

export function bless(metric: BlessingMetric, candidate: number, baseline: number | null, threshold: number, minimum: number): Blessing {
  const checks: BlessingCheck[] = [{ rule: `candidate ${metric} ${f(candidate)} ≥ minimum ${f(minimum)}`, passed: candidate >= minimum }];
  if (baseline !== null) {
    const bar = baseline - threshold;
    checks.push({
      rule: `candidate ${metric} ${f(candidate)} ≥ baseline ${f(baseline)} − threshold ${f(threshold)} = ${f(bar)}`,
      passed: candidate >= bar,
    });
  }
  return { blessed: checks.every((c) => c.passed), metric, candidate, baseline, checks };
}

/** A short Markdown report: the decision, the checks, both models' scores, the confusion matrix. */
export function blessingReport(b: Blessing, candidate: ClassificationMetrics, baseline: ClassificationMetrics | null, testName: string): string {
  const num = (x: number | null | undefined): string => (typeof x === 'number' ? f(x) : 'n/a');
  const lines = [
    `# ${b.blessed ? '✅ Blessed' : '❌ Not blessed'}`,
    '',
    `Chosen metric: **${b.metric}** on ${candidate.n} test rows (${testName}).`,
    '',
    ...b.checks.map((c) => `- ${c.passed ? '✅' : '❌'} ${c.rule}`),
    ...(baseline ? [] : ['- (no baseline model given: only the minimum applies)']),
    '',
    `| metric | candidate |${baseline ? ' baseline |' : ''}`,
    `|---|---|${baseline ? '---|' : ''}`,
  ];
  const rows: Array<[string, (m: ClassificationMetrics) => number | null | undefined]> = [
    ['accuracy', (m) => m.accuracy],
    ['macro precision', (m) => m.macro.precision],
    ['macro recall', (m) => m.macro.recall],
    ['macro F1', (m) => m.macro.f1],
    ['macro ROC AUC', (m) => m.macro.rocAuc],
  ];
  for (const [name, get] of rows) lines.push(`| ${name} | ${num(get(candidate))} |${baseline ? ` ${num(get(baseline))} |` : ''}`);
  const { labels, matrix } = candidate.confusionMatrix;
  lines.push('', 'Candidate confusion matrix (rows: actual, columns: predicted):', '', `| | ${labels.join(' | ')} |`, `|---|${labels.map(() => '---|').join('')}`);
  labels.forEach((label, i) => lines.push(`| **${label}** | ${matrix[i]!.join(' | ')} |`));
  return `${lines.join('\n')}\n`;
}
