/**
 * `evaluate-classifier`: scores a classifier model (`train-classifier`, `train-logistic-regression`)
 * on a test Dataset — accuracy, macro precision/recall/F1, one-vs-rest ROC AUC, ROC and
 * precision–recall curves, confusion matrix (see `classificationMetrics.ts` for the JSON) — and
 * decides whether to bless it: its chosen `metric` must reach `minimum` and, when a `baseline`
 * model is given (evaluated on the same rows), the baseline's value minus `threshold`. The
 * decision and both models' scores are explained in the `report` (Markdown).
 */
import { writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { component, NonRetryableError, t } from 'sluice/dsl';
import { loadClassifierModel } from '../classifierModel';
import { columnIndex, numberMatrix, readDataset, type Dataset } from '../dataset';
import { tfjsPredict } from '../tfjsPredict';
import { loadTf } from '../tfjsBackend';
import { bless, BLESSING_METRICS, blessingReport, metricValue, type BlessingMetric } from './blessing';
import { classificationMetrics, type ClassificationMetrics } from './classificationMetrics';

const NAME = 'evaluate-classifier';

async function evaluateModel(path: string, ds: Dataset, source: string): Promise<{ metrics: ClassificationMetrics; target: string; backend: string }> {
  const { tf, backend } = await loadTf();
  const { file, model } = await loadClassifierModel(path, tf);
  let scores: number[][];
  try {
    scores = await tfjsPredict(tf, model, numberMatrix(ds, file.features, source), file.normalization);
  } finally {
    model.dispose();
  }
  const predicted = scores.map((row) => {
    let best = 0;
    row.forEach((p, k) => {
      if (p > row[best]!) best = k;
    });
    return file.classes[best]!;
  });
  const ti = columnIndex(ds, file.target, source);
  const actual = ds.rows.map((r, i) => {
    const label = r[ti];
    // A missing label would count as a class named "null" and quietly lower every score.
    if (label === null || label === undefined) {
      throw new NonRetryableError(`${NAME}: test dataset ${source} row ${i + 1} has no "${file.target}" label; drop unlabelled rows before evaluating`);
    }
    return String(label);
  });
  const unknown = [...new Set(actual)].filter((c) => !file.classes.includes(c));
  if (unknown.length > 0) {
    throw new NonRetryableError(
      `${NAME}: test dataset ${source} has "${file.target}" labels the model was not trained on: ${unknown.slice(0, 5).join(', ')} (model classes: ${file.classes.join(', ')})`,
    );
  }
  return { metrics: classificationMetrics(actual, predicted, file.classes, scores), target: file.target, backend };
}

export const evaluateClassifier = component({
  name: NAME,
  description:
    'Evaluates a classifier on a test Dataset (accuracy, macro precision/recall/F1, ROC AUC, ROC/PR curves, confusion matrix) and blesses it against a minimum and an optional baseline model.',
  category: 'evaluate',
  module: 'sluice/components',
  export: 'evaluateClassifier',
  inputs: {
    model: t.Model({ description: 'the candidate: a train-classifier or train-logistic-regression model file' }),
    test: t.Dataset({ description: "rows with the model's feature columns and its target column" }),
    baseline: t.Model({ optional: true, description: 'a model to compare with, evaluated on the same test rows' }),
    metric: t.enum(BLESSING_METRICS, { default: 'accuracy', description: `metric that decides the blessing: ${BLESSING_METRICS.join(', ')}`, typeOnly: true }),
    threshold: t.float({ default: 0, description: 'blessed only if candidate ≥ baseline − threshold (negative: must beat the baseline)' }),
    minimum: t.float({ default: 0, description: 'blessed only if candidate ≥ minimum' }),
  },
  outputs: {
    metrics: t.ClassificationMetrics({ description: "the candidate's metrics and curves" }),
    baselineMetrics: t.ClassificationMetrics({ optional: true, description: "the baseline's, when a baseline is given" }),
    report: t.Markdown({ description: 'the blessing decision, explained' }),
    accuracy: t.float(),
    macroF1: t.float(),
    score: t.float({ description: "the candidate's value of the chosen metric" }),
    blessed: t.bool(),
  },
  run: async (inputs, ctx) => {
    const metric = BLESSING_METRICS.find((m): m is BlessingMetric => m === inputs.metric);
    if (!metric) throw new NonRetryableError(`${NAME}: metric must be one of ${BLESSING_METRICS.join(', ')}; got "${inputs.metric}"`);
    for (const [name, v] of [['threshold', inputs.threshold], ['minimum', inputs.minimum]] as const) {
      if (!Number.isFinite(v)) throw new NonRetryableError(`${NAME}: ${name} must be a finite number; got ${v}`);
    }
    const source = inputs.test.path;
    const ds = await readDataset(source);
    if (ds.rows.length === 0) throw new NonRetryableError(`${NAME}: test dataset ${source} has no rows`);

    const candidate = await evaluateModel(inputs.model.path, ds, source);
    const baseline = inputs.baseline ? await evaluateModel(inputs.baseline.path, ds, source) : null;
    if (baseline && baseline.target !== candidate.target) {
      throw new NonRetryableError(
        `${NAME}: the baseline ${inputs.baseline?.path} predicts "${baseline.target}" but the candidate predicts "${candidate.target}"; compare models of the same target`,
      );
    }
    const score = metricValue(candidate.metrics, metric);
    if (score === null) {
      throw new NonRetryableError(`${NAME}: ${metric} is undefined on ${source} (every class needs positive and negative test rows); choose another metric`);
    }
    const baselineScore = baseline ? metricValue(baseline.metrics, metric) : null;
    if (baseline && baselineScore === null) throw new NonRetryableError(`${NAME}: ${metric} of the baseline is undefined on ${source}; choose another metric`);
    const decision = bless(metric, score, baselineScore, inputs.threshold, inputs.minimum);

    const m = candidate.metrics;
    await writeFile(ctx.outputs.metrics.path, `${JSON.stringify(m, null, 2)}\n`);
    ctx.outputs.metrics.properties = {
      accuracy: m.accuracy,
      macroF1: m.macro.f1,
      rocAuc: m.macro.rocAuc ?? null,
      n: m.n,
      labels: m.confusionMatrix.labels,
      backend: candidate.backend,
      blessed: decision.blessed,
    };
    if (baseline) {
      const b = baseline.metrics;
      await writeFile(ctx.outputs.baselineMetrics.path, `${JSON.stringify(b, null, 2)}\n`);
      ctx.outputs.baselineMetrics.properties = { accuracy: b.accuracy, macroF1: b.macro.f1, rocAuc: b.macro.rocAuc ?? null, n: b.n, role: 'baseline' };
    }
    await writeFile(ctx.outputs.report.path, blessingReport(decision, m, baseline?.metrics ?? null, basename(source)));
    ctx.outputs.report.properties = { blessed: decision.blessed, metric, score, baselineScore, threshold: inputs.threshold, minimum: inputs.minimum };

    ctx.metric('accuracy', m.accuracy);
    ctx.metric('macro_f1', m.macro.f1);
    if (typeof m.macro.rocAuc === 'number') ctx.metric('roc_auc', m.macro.rocAuc);
    if (baselineScore !== null) ctx.metric(`baseline_${metric}`, baselineScore);
    ctx.metric('blessed', decision.blessed ? 1 : 0);
    ctx.log(
      `${metric} ${score.toFixed(4)} on ${m.n} rows${baselineScore === null ? '' : ` (baseline ${baselineScore.toFixed(4)})`}: ${decision.blessed ? 'blessed' : 'not blessed'}`,
    );
    return { accuracy: m.accuracy, macroF1: m.macro.f1, score, blessed: decision.blessed };
  },
});
