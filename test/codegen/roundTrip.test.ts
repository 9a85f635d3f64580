/**
 * The code generator's acceptance test: IR → TypeScript → compile() gives back the same IR (same
 * digest, and deep-equal including editor `ui`), for every example, for the control-flow fixtures
 * and for hundreds of random valid pipelines (FUZZ_SEED=<n> replays, FUZZ_SEED=random explores,
 * CODEGEN_CASES=<n> sets how many).
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { compile, isPipeline, type AnyPipeline } from '../../dsl/index';
import { formatIssue, pipelineDigest, validatePipeline, type PipelineSpec } from '../../dsl/ir/index';
import * as controlFlow from '../fixtures/controlFlow';
import * as execution from '../fixtures/execution';
import * as tuning from '../fixtures/tuning';
import * as pipelineTrial from '../fixtures/pipelineTrial';
import { addTask, emptyPipeline, setInput } from '../../editor/src/edit/index';
import { makeStudy, setTune, withSearchParam } from '../../editor/src/edit/tune';
import { FIXTURE_MODULE, RandomPipelines } from './randomPipeline';
import { cleanGenerated, resolverFor, ROOT, roundTrip } from './roundTrip';

afterAll(cleanGenerated);

const SEED = process.env.FUZZ_SEED === 'random' ? Date.now() % 1_000_000 : Number(process.env.FUZZ_SEED ?? 515_151);
const CASES = Number(process.env.CODEGEN_CASES ?? 300);

async function expectRoundTrip(spec: PipelineSpec, options: Parameters<typeof roundTrip>[1] = {}): Promise<void> {
  const result = await roundTrip(spec, options);
  const context = `generated ${result.file}:\n${result.source}`;
  expect(result.compiled.digest, context).toBe(pipelineDigest(spec));
  expect(result.compiled.spec, context).toEqual(spec);
}

describe('examples/', () => {
  // Every example, including ones added later.
  const files = readdirSync(path.join(ROOT, 'examples')).filter((f) => /\.ts$/.test(f) && !f.endsWith('.test.ts'));
  it.each(files)('%s round-trips', async (file) => {
    const mod = (await import(pathToFileURL(path.join(ROOT, 'examples', file)).href)) as Record<string, unknown>;
    const pipelines = [...new Set(Object.values(mod).filter(isPipeline))] as AnyPipeline[];
    expect(pipelines.length).toBeGreaterThan(0);
    const module = `./examples/${file}`;
    const resolve = resolverFor({ [module]: mod });
    for (const p of pipelines) {
      // As `sluice compile examples/<file>` compiles it.
      const { spec } = compile(p, { module });
      await expectRoundTrip(spec, { module, resolveComponent: resolve });
    }
  });
});

describe('engine fixtures', () => {
  const fixtures: [string, Record<string, unknown>][] = [
    [FIXTURE_MODULE, controlFlow],
    ['./test/fixtures/execution.ts', execution],
    ['./test/fixtures/tuning.ts', tuning],
    // Studies whose trial is a nested pipeline (its objective names the inner task).
    ['./test/fixtures/pipelineTrial.ts', pipelineTrial],
  ];
  for (const [module, mod] of fixtures) {
    const resolve = resolverFor({ [module]: mod });
    for (const [name, value] of Object.entries(mod)) {
      if (!isPipeline(value)) continue;
      it(`${module} ${name} round-trips`, async () => {
        const { spec } = compile(value, { module });
        await expectRoundTrip(spec, { module, resolveComponent: resolve });
      });
    }
  }
});

describe('a study built in the editor', () => {
  it('round-trips with its digest: made a study, then its space, algorithm, budgets and early stopping edited as the form does', async () => {
    const module = './test/fixtures/tuning.ts';
    // The catalog's component spec, as the server lists it (compiled from its module).
    const { spec: compiled } = compile(tuning.prunedStudy, { module });
    const curve = Object.values(compiled.components).find((c) => c.name === 'curve');
    if (!curve) throw new Error('the fixture has no curve component');
    let spec = addTask(emptyPipeline('editor-study'), curve, { position: { x: 40, y: 60 } }).spec;
    spec = setInput(spec, 'curve', 'start', { const: 2 });
    spec = setInput(spec, 'curve', 'epochMs', { const: 0 });
    const made = makeStudy(spec, 'curve');
    if (!made.ok) throw new Error(made.reason);
    const task = made.spec.dag.tasks.curve;
    if (!task || !('component' in task) || !task.tune) throw new Error('not a study');
    const tune = withSearchParam(withSearchParam(task.tune, 'epochs', { type: 'choice', values: [2, 4] }), 'tag', { type: 'intRange', low: 0, high: 8, step: 2, when: { param: 'epochs', in: [4] } });
    const edited = setTune(made.spec, 'curve', {
      ...tune,
      objective: { metric: 'loss', goal: 'minimize' },
      algorithm: { name: 'tpe', startupTrials: 4, multivariate: false, constantLiar: false },
      maxTrials: 12,
      parallelTrials: 3,
      maxFailedTrials: 2,
      earlyStopping: { rule: 'median', startupTrials: 2, warmupSteps: 1 },
      seed: 5,
    });
    if (!edited.ok) throw new Error(edited.reason);
    expect(validityProblems(edited.spec)).toBe('');
    await expectRoundTrip(edited.spec, { module, resolveComponent: resolverFor({ [module]: tuning }) });
  });
});

describe(`random pipelines (seed ${SEED})`, () => {
  it(`${CASES} random valid pipelines round-trip`, async () => {
    console.log(`codegen fuzz seed ${SEED} (replay with FUZZ_SEED=${SEED})`);
    const gen = new RandomPipelines(SEED);
    const resolve = resolverFor({ [FIXTURE_MODULE]: controlFlow });
    for (let i = 0; i < CASES; i++) {
      const spec = gen.pipeline();
      const check = validityProblems(spec);
      expect(check, `case ${i}: the generator made invalid IR`).toBe('');
      try {
        await expectRoundTrip(spec, { module: FIXTURE_MODULE, resolveComponent: resolve, name: `case-${i}` });
      } catch (e) {
        throw new Error(`case ${i} (seed ${SEED}): ${(e as Error).message}\nIR: ${JSON.stringify(spec)}`);
      }
    }
  }, 300_000);
});

/** The validator's complaints about generated IR (empty when it is valid). */
function validityProblems(spec: PipelineSpec): string {
  const result = validatePipeline(spec);
  return result.ok ? '' : result.issues.map(formatIssue).join('\n');
}
