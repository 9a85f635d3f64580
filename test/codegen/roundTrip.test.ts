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
