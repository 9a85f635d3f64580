/**
 * Iris, end to end — the whole model life cycle on Fisher's flowers:
 *
 *   load → infer + validate the schema → seeded, stratified split → standardise (fitted on train)
 *   → train a dense classifier, and a logistic regression as the baseline → evaluate both on the
 *   test rows and bless the candidate → (only if blessed) export it to ONNX with the scaling in
 *   its graph, so it takes raw measurements (verified against TF.js) → register it in the model registry as a new version of "iris" and point `challenger` at
 *   it → score the whole data set with ONNX Runtime in batches.
 *
 *   npx sluice run examples/iris.ts --param epochs=150
 *
 * With 30 test rows one row is 0.033 of accuracy, and on iris a linear model is as good as any:
 * the candidate is blessed when it reaches `minAccuracy` and trails the baseline by at most
 * `blessThreshold` (default 0.05, about one and a half test rows).
 */
import {
  batchInference,
  evaluateClassifier,
  exportOnnx,
  inferSchema,
  loadIris,
  registerModel,
  split,
  standardize,
  trainClassifier,
  trainLogisticRegression,
  validateSchema,
} from 'sluice/components';
import { eq, pipeline, t } from 'sluice/dsl';

export default pipeline(
  {
    name: 'iris',
    description: 'Validate, split, scale, train and bless a dense classifier on the iris flowers, export it to ONNX and batch-score with it.',
    inputs: {
      testFraction: t.float({ default: 0.2, description: 'share of rows held out for testing' }),
      seed: t.int({ default: 42, description: 'seeds the split and the training' }),
      hiddenUnits: t.int({ default: 16 }),
      epochs: t.int({ default: 100 }),
      learningRate: t.float({ default: 0.05 }),
      baselineEpochs: t.int({ default: 50, description: 'epochs of the logistic-regression baseline' }),
      blessThreshold: t.float({ default: 0.05, description: 'the candidate may trail the baseline by this much accuracy' }),
      minAccuracy: t.float({ default: 0.9, description: 'the candidate needs at least this test accuracy' }),
      batchSize: t.int({ default: 4096, description: 'rows per ONNX Runtime call in batch inference' }),
    },
  },
  (p) => {
    const data = p.task(loadIris, {});
    // A real pipeline would check in a reviewed schema; here it is inferred from the same load.
    const schema = p.task(inferSchema, { dataset: data.outputs.dataset });
    const validated = p.task(validateSchema, { dataset: data.outputs.dataset, schema: schema.outputs.schema, failOnAnomalies: true });
    const parts = p.task(
      split,
      { dataset: data.outputs.dataset, testFraction: p.inputs.testFraction, seed: p.inputs.seed },
      { after: [validated] }, // no data edge: split only once the data passed validation
    );
    const scaled = p.task(standardize, { train: parts.outputs.train, test: parts.outputs.test });
    const trained = p.task(trainClassifier, {
      train: scaled.outputs.trainScaled,
      hiddenUnits: p.inputs.hiddenUnits,
      epochs: p.inputs.epochs,
      learningRate: p.inputs.learningRate,
      seed: p.inputs.seed,
    });
    const baseline = p.task(trainLogisticRegression, { train: scaled.outputs.trainScaled, epochs: p.inputs.baselineEpochs, seed: p.inputs.seed });
    const evaluated = p.task(evaluateClassifier, {
      model: trained.outputs.model,
      baseline: baseline.outputs.model,
      test: scaled.outputs.testScaled,
      metric: 'accuracy',
      threshold: p.inputs.blessThreshold,
      minimum: p.inputs.minAccuracy,
    });
    const [shipped] = p.when(eq(evaluated.outputs.blessed, true), () => {
      // The scaling fitted on the training rows goes into the ONNX graph: the exported (and served)
      // model takes raw measurements, as a client of the model server sends them.
      const exported = p.task(exportOnnx, { model: trained.outputs.model, data: scaled.outputs.trainScaled, transform: scaled.outputs.transform });
      const predicted = p.task(batchInference, { model: exported.outputs.onnx, data: data.outputs.dataset, batchSize: p.inputs.batchSize });
      // A new version of the registered model; a person promotes it to champion (sluice models alias).
      p.task(registerModel, { model: exported.outputs.onnx, name: 'iris', alias: 'challenger', note: 'blessed against the logistic-regression baseline' });
      return { onnx: exported.outputs.onnx, predictions: predicted.outputs.predictions };
    }).branches;
    return {
      model: trained.outputs.model,
      metrics: evaluated.outputs.metrics,
      report: evaluated.outputs.report,
      blessed: evaluated.outputs.blessed,
      onnx: shipped.onnx,
      predictions: shipped.predictions,
    };
  },
);
