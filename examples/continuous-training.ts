/**
 * Continuous training (MLOps level 1) for the iris model served by the model server:
 *
 *   the model server logs a sample of its requests as Datasets (named `iris.requests`)
 *   → drift check of the logged inputs against the champion's training data (drift-check)
 *   → only when drift is flagged: retrain → evaluate (against the logistic-regression baseline,
 *     and against the served champion on the same labelled test rows) → export to ONNX (raw
 *     features in) → register as a new version of "iris" with `challenger` pointing at it
 *   → a canary rollout of the new version against `champion` (the durable rollout workflow,
 *     started through Sluice's API when `sluiceUrl` is given; it promotes or rolls back by itself)
 *
 * Start it on each logged Dataset with an artifact trigger (docs/ARCHITECTURE.md, "The loop"):
 *
 *   sluice triggers create artifact examples/continuous-training.ts --id iris-drift \
 *     --type Dataset --name iris.requests --input served -p modelServer=http://127.0.0.1:8000
 *
 * or by hand with the id of a logged Dataset:
 *
 *   npx sluice run examples/continuous-training.ts --param served=<artifact id> \
 *     --param modelServer=http://127.0.0.1:8000
 *
 * The champion's training data is rebuilt as iris.ts built it (load-iris, the same seeded split):
 * the reference the drift check compares with. Retraining here uses load-iris again with another
 * seed as a stand-in for "the latest labelled data"; a real loop loads its fresh labels instead.
 */
import {
  driftCheck,
  evaluateClassifier,
  exportOnnx,
  loadIris,
  numberMatrix,
  readDataset,
  registerModel,
  split,
  standardize,
  trainClassifier,
  trainLogisticRegression,
} from 'sluice/components';
import { ApiError, createApiClient } from 'sluice/api';
import { and, component, eq, NonRetryableError, pipeline, t } from 'sluice/dsl';

const FEATURES = ['sepal_length', 'sepal_width', 'petal_length', 'petal_width'];

/**
 * The served champion's accuracy on labelled rows, asked of the model server over the Open
 * Inference Protocol (so it is the model as served, raw features in), and whether the candidate is
 * at least as good (within `threshold`). No model server, or no champion yet: the candidate wins.
 */
export const compareWithChampion = component({
  name: 'compare-with-champion',
  description: "Scores the served champion on labelled rows through the model server and compares the candidate's accuracy with it.",
  category: 'evaluate',
  inputs: {
    test: t.Dataset({ description: 'labelled rows, raw features (as clients send them)' }),
    candidateAccuracy: t.float(),
    modelServer: t.string({ default: '', description: 'the model server URL, e.g. http://127.0.0.1:8000; empty: no comparison' }),
    model: t.string({ default: 'iris' }),
    alias: t.string({ default: 'champion' }),
    threshold: t.float({ default: 0, description: 'the candidate may trail the champion by this much accuracy' }),
  },
  outputs: { championAccuracy: t.float({ description: '-1 when there was no champion to compare with' }), better: t.bool() },
  run: async (inputs, ctx) => {
    if (inputs.modelServer === '') {
      ctx.log('no model server given: the candidate is not compared with a champion');
      return { championAccuracy: -1, better: true };
    }
    const ds = await readDataset(inputs.test.path);
    const target = ds.target ?? 'species';
    const x = numberMatrix(ds, FEATURES, inputs.test.path);
    const labels = ds.rows.map((r) => r[ds.columns.findIndex((c) => c.name === target)]);
    const token = process.env.SLUICE_MODEL_SERVER_TOKEN ?? process.env.SLUICE_TOKEN;
    const url = `${inputs.modelServer.replace(/\/$/, '')}/v2/models/${encodeURIComponent(`${inputs.model}@${inputs.alias}`)}`;
    const res = await fetch(`${url}/infer`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ inputs: [{ name: 'features', shape: [x.length, FEATURES.length], datatype: 'FP32', data: x.flat() }], outputs: [{ name: 'label' }] }),
      signal: ctx.signal,
    });
    const answer = (await res.json()) as { error?: string; model_version?: string; outputs?: Array<{ name: string; data?: number[] }> };
    if (res.status === 404) {
      ctx.log(`no ${inputs.model}@${inputs.alias} is served (${answer.error ?? ''}): the candidate is not compared with a champion`);
      return { championAccuracy: -1, better: true };
    }
    if (!res.ok) throw new NonRetryableError(`compare-with-champion: ${url}/infer answered ${res.status}: ${answer.error ?? 'no error message'}`);
    // `label` indexes the model's classes, which the trainers keep in sorted order.
    const predicted = answer.outputs?.find((o) => o.name === 'label')?.data ?? [];
    const names = [...new Set(labels.map(String))].sort();
    const right = predicted.filter((k, i) => names[k] === String(labels[i])).length;
    const championAccuracy = right / x.length;
    const better = inputs.candidateAccuracy >= championAccuracy - inputs.threshold;
    ctx.metric('champion_accuracy', championAccuracy);
    ctx.log(`champion (${inputs.model} version ${answer.model_version ?? '?'}) accuracy ${championAccuracy.toFixed(4)}; candidate ${inputs.candidateAccuracy.toFixed(4)}: ${better ? 'candidate at least as good' : 'champion better'}`);
    return { championAccuracy, better };
  },
});

/**
 * Starts a canary rollout of a registered version against `champion` through Sluice's API (the
 * same call as `sluice rollout`): the rollout workflow then shifts traffic step by step and
 * promotes or rolls back on the model server's own metrics. No API given: nothing is started.
 */
export const startCanary = component({
  name: 'start-canary',
  description: "Starts a canary rollout of a model version against champion through Sluice's API (as `sluice rollout`).",
  category: 'deploy',
  inputs: {
    version: t.int({ description: 'the registered version to roll out' }),
    sluiceUrl: t.string({ default: '', description: "Sluice's API, e.g. http://127.0.0.1:8080 (token from SLUICE_TOKEN); empty: no rollout" }),
    model: t.string({ default: 'iris' }),
    steps: t.list(t.float(), { default: [10, 50, 100], description: 'percent of the requests the candidate gets at each step' }),
    intervalSeconds: t.int({ default: 300, description: 'each step window' }),
    maxErrorRate: t.float({ default: 0.01 }),
    maxP99Ms: t.float({ default: 50 }),
  },
  outputs: { rollout: t.string({ description: "the rollout's id; empty when none was started" }) },
  run: async (inputs, ctx) => {
    if (inputs.sluiceUrl === '') {
      ctx.log('no Sluice API given: no rollout started (start one with `sluice rollout`)');
      return { rollout: '' };
    }
    const token = process.env.SLUICE_TOKEN;
    const api = createApiClient({ baseUrl: inputs.sluiceUrl, ...(token ? { token } : {}) });
    const body = { to: String(inputs.version), mode: 'canary' as const, steps: inputs.steps, intervalMs: inputs.intervalSeconds * 1000, maxErrorRate: inputs.maxErrorRate, maxP99Ms: inputs.maxP99Ms };
    try {
      const { rollout } = await api.startModelRollout({ params: { model: inputs.model }, body });
      ctx.log(`rollout ${rollout.id}: ${inputs.model} version ${inputs.version} against champion, steps ${inputs.steps.join(',')}% every ${inputs.intervalSeconds}s`);
      return { rollout: rollout.id };
    } catch (e) {
      // A refusal (another rollout running, no champion) will not change on a retry.
      if (e instanceof ApiError && e.status >= 400 && e.status < 500) throw new NonRetryableError(`start-canary: ${inputs.sluiceUrl} refused the rollout of ${inputs.model} version ${inputs.version}: ${e.message}`);
      throw e;
    }
  },
});

export default pipeline(
  {
    name: 'iris-continuous-training',
    description: 'Drift check of the served requests against the training data; on drift, retrain, evaluate against the champion and register a challenger.',
    inputs: {
      served: t.Dataset({ description: 'requests logged by the model server (a Dataset artifact id)' }),
      modelServer: t.string({ default: '', description: 'the model server, to score the champion on; empty: no champion comparison' }),
      psiThreshold: t.float({ default: 0.2 }),
      ksAlpha: t.float({ default: 0.05 }),
      referenceSeed: t.int({ default: 42, description: "the seed of the champion's training split (iris.ts)" }),
      seed: t.int({ default: 7, description: 'seeds the retraining split and training' }),
      epochs: t.int({ default: 100 }),
      minAccuracy: t.float({ default: 0.9 }),
      sluiceUrl: t.string({ default: '', description: "Sluice's API, to start the challenger's canary rollout; empty: register only" }),
      championThreshold: t.float({ default: 0.05, description: "the retrained model may trail the champion's accuracy by this much (one or two test rows)" }),
    },
  },
  (p) => {
    // The champion's training data, as iris.ts made it: the drift check's reference.
    const iris = p.task(loadIris, {}, { id: 'load-reference' });
    const reference = p.task(split, { dataset: iris.outputs.dataset, seed: p.inputs.referenceSeed }, { id: 'reference-split' });
    const drift = p.task(driftCheck, { reference: reference.outputs.train, current: p.inputs.served, psiThreshold: p.inputs.psiThreshold, ksAlpha: p.inputs.ksAlpha });

    const [retrained] = p.when(eq(drift.outputs.passed, false), () => {
      // Retraining on "the latest labelled data" (here: iris, split with another seed).
      const parts = p.task(split, { dataset: iris.outputs.dataset, seed: p.inputs.seed });
      const scaled = p.task(standardize, { train: parts.outputs.train, test: parts.outputs.test });
      const trained = p.task(trainClassifier, { train: scaled.outputs.trainScaled, epochs: p.inputs.epochs, seed: p.inputs.seed });
      const baseline = p.task(trainLogisticRegression, { train: scaled.outputs.trainScaled, seed: p.inputs.seed });
      const evaluated = p.task(evaluateClassifier, { model: trained.outputs.model, baseline: baseline.outputs.model, test: scaled.outputs.testScaled, threshold: 0.05, minimum: p.inputs.minAccuracy });
      const vsChampion = p.task(compareWithChampion, { test: parts.outputs.test, candidateAccuracy: evaluated.outputs.accuracy, modelServer: p.inputs.modelServer, threshold: p.inputs.championThreshold });
      const [registered] = p.when(and(eq(evaluated.outputs.blessed, true), eq(vsChampion.outputs.better, true)), () => {
        const exported = p.task(exportOnnx, { model: trained.outputs.model, data: scaled.outputs.trainScaled, transform: scaled.outputs.transform });
        const reg = p.task(registerModel, { model: exported.outputs.onnx, name: 'iris', alias: 'challenger', note: 'retrained after drift in the served requests' });
        const canary = p.task(startCanary, { version: reg.outputs.version, sluiceUrl: p.inputs.sluiceUrl });
        return { version: reg.outputs.version, rollout: canary.outputs.rollout };
      }).branches;
      return { accuracy: evaluated.outputs.accuracy, version: registered.version, rollout: registered.rollout };
    }).branches;
    return { driftPassed: drift.outputs.passed, driftedFeatures: drift.outputs.driftedFeatures, report: drift.outputs.report, challengerVersion: retrained.version, rollout: retrained.rollout };
  },
);
