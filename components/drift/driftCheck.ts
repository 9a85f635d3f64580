/**
 * `drift-check`: compares each number feature of a current Dataset with a reference one (usually
 * the training data) by population stability index and the two-sample Kolmogorov–Smirnov test.
 *
 * A feature has drifted when its PSI exceeds `psiThreshold` AND its KS p-value is below `ksAlpha`:
 * the shift is large (PSI, an effect size) and not sampling noise (KS, which weighs sample size).
 * Either alone misleads: PSI reads high on small samples (30 rows over 10 bins), and with many
 * thousands of rows KS calls even negligible shifts significant.
 */
import { writeFile } from 'node:fs/promises';
import { component, NonRetryableError, t, type Json } from 'sluice/dsl';
import { columnIndex, readDataset, type Dataset } from '../dataset';
import { featureColumns } from '../transform/transform';
import { ksTwoSample, populationStabilityIndex, type KsResult } from './driftStatistics';

export interface FeatureDrift {
  psi: number;
  ks: KsResult;
  drifted: boolean;
  referenceRows: number;
  currentRows: number;
  referenceMean: number;
  currentMean: number;
}

const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

function numbers(ds: Dataset, name: string, source: string): number[] {
  const j = columnIndex(ds, name, source);
  if (ds.columns[j]!.type !== 'number') {
    throw new NonRetryableError(`drift-check: column "${name}" of dataset ${source} holds ${ds.columns[j]!.type}s; drift is measured on number columns`);
  }
  const values = ds.rows.map((r) => r[j]).filter((v): v is number => typeof v === 'number');
  if (values.length === 0) throw new NonRetryableError(`drift-check: column "${name}" of dataset ${source} has no values`);
  return values;
}

export const driftCheck = component({
  name: 'drift-check',
  description: 'Detects feature drift between a reference and a current Dataset: population stability index and Kolmogorov–Smirnov test per number feature.',
  category: 'drift',
  module: 'sluice/components',
  export: 'driftCheck',
  inputs: {
    reference: t.Dataset({ description: 'the data the model knows (usually its training set)' }),
    current: t.Dataset({ description: 'the data to check (new or serving data)' }),
    psiThreshold: t.float({ default: 0.2, description: 'PSI above this is a large shift' }),
    ksAlpha: t.float({ default: 0.05, description: 'KS p-value below this is a significant shift' }),
    bins: t.int({ default: 10, description: 'PSI bins, at reference quantiles' }),
    columns: t.list(t.string(), { optional: true, description: "features to check (default: every number column of the reference but the target and 'exclude')" }),
    exclude: t.list(t.string(), { default: [], description: 'number columns not to check' }),
  },
  outputs: {
    report: t.Metrics({ description: 'JSON: the rule, and per feature PSI, KS statistic and p-value, means, drifted' }),
    passed: t.bool(),
    driftedFeatures: t.list(t.string()),
  },
  run: async (inputs, ctx) => {
    const { psiThreshold, ksAlpha, bins } = inputs;
    if (!(psiThreshold > 0)) throw new NonRetryableError(`drift-check: psiThreshold must be positive; got ${psiThreshold}`);
    if (!(ksAlpha > 0 && ksAlpha < 1)) throw new NonRetryableError(`drift-check: ksAlpha must be between 0 and 1; got ${ksAlpha}`);
    if (!Number.isInteger(bins) || bins < 2) throw new NonRetryableError(`drift-check: bins must be an integer of at least 2; got ${bins}`);

    const refPath = inputs.reference.path;
    const curPath = inputs.current.path;
    const reference = await readDataset(refPath);
    const current = await readDataset(curPath);
    const names = featureColumns(reference, refPath, inputs.columns, inputs.exclude);
    if (names.length === 0) throw new NonRetryableError(`drift-check: dataset ${refPath} has no number features to check besides the target and those excluded`);

    const features: Record<string, FeatureDrift> = {};
    const driftedFeatures: string[] = [];
    for (const name of names) {
      const ref = numbers(reference, name, refPath);
      const cur = numbers(current, name, curPath);
      const psi = populationStabilityIndex(ref, cur, { bins });
      const ks = ksTwoSample(ref, cur);
      const drifted = psi > psiThreshold && ks.pValue < ksAlpha;
      features[name] = { psi, ks, drifted, referenceRows: ref.length, currentRows: cur.length, referenceMean: mean(ref), currentMean: mean(cur) };
      if (drifted) driftedFeatures.push(name);
      ctx.metric(`psi.${name}`, psi);
      ctx.metric(`ks_statistic.${name}`, ks.statistic);
      ctx.metric(`ks_pvalue.${name}`, ks.pValue);
      ctx.log(`${name}: PSI ${psi.toFixed(4)}, KS D ${ks.statistic.toFixed(4)} (p ${ks.pValue.toPrecision(3)})${drifted ? ': drifted' : ''}`);
    }
    const passed = driftedFeatures.length === 0;
    ctx.metric('drifted_features', driftedFeatures.length);

    const report = {
      rule: `drifted when PSI > ${psiThreshold} and KS p-value < ${ksAlpha}`,
      psiThreshold,
      ksAlpha,
      bins,
      passed,
      driftedFeatures,
      features,
    };
    await writeFile(ctx.outputs.report.path, `${JSON.stringify(report, null, 2)}\n`);
    ctx.outputs.report.properties = { passed, driftedFeatures, features: names, maxPsi: Math.max(...names.map((n) => features[n]!.psi)) } satisfies Record<string, Json>;
    ctx.log(passed ? `no drift in ${names.length} features` : `drift in ${driftedFeatures.length} of ${names.length} features: ${driftedFeatures.join(', ')}`);
    return { passed, driftedFeatures };
  },
});
