/**
 * Generated code is ordinary, well-typed DSL code: the files generated for the examples and the
 * control-flow fixtures pass `tsc` (one run over all of them; only errors in generated files count,
 * so unrelated work in progress elsewhere cannot fail this test).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import { compile, isPipeline } from '../../dsl/index';
import { generatePipelineSource } from '../../dsl/codegen/index';
import * as controlFlow from '../fixtures/controlFlow';
import * as execution from '../fixtures/execution';
import { resolverFor, ROOT } from './roundTrip';

const DIR = `.sluice/codegen-tsc-${process.pid}`;
afterAll(() => rmSync(path.join(ROOT, DIR), { recursive: true, force: true }));

it('generated files typecheck with tsc', async () => {
  mkdirSync(path.join(ROOT, DIR), { recursive: true });
  const sources: [string, Record<string, unknown>][] = [
    ['./test/fixtures/controlFlow.ts', controlFlow],
    ['./test/fixtures/execution.ts', execution],
  ];
  for (const f of readdirSync(path.join(ROOT, 'examples')).filter((n) => n.endsWith('.ts') && !n.endsWith('.test.ts'))) {
    sources.push([`./examples/${f}`, (await import(pathToFileURL(path.join(ROOT, 'examples', f)).href)) as Record<string, unknown>]);
  }
  const written: string[] = [];
  for (const [module, mod] of sources) {
    const resolveComponent = resolverFor({ [module]: mod });
    for (const [name, value] of Object.entries(mod)) {
      if (!isPipeline(value)) continue;
      const file = `${DIR}/${path.basename(module, '.ts')}-${name}.ts`;
      const source = generatePipelineSource(compile(value, { module }).spec, { fromFile: file, resolveComponent });
      writeFileSync(path.join(ROOT, file), source);
      written.push(file);
    }
  }
  writeFileSync(path.join(ROOT, DIR, 'tsconfig.json'), JSON.stringify({ extends: '../../tsconfig.json', include: [], exclude: [], files: written.map((f) => path.basename(f)) }));
  let output = '';
  try {
    execFileSync(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '--noEmit', '-p', path.join(DIR, 'tsconfig.json')], { cwd: ROOT, encoding: 'utf8' });
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string };
    output = `${err.stdout ?? ''}${err.stderr ?? ''}`;
  }
  // Errors in generated files, or about the run itself (no file name), count; others' files do not.
  const ours = output.split('\n').filter((l) => l.startsWith(DIR) || /^error TS/.test(l));
  expect(written.length).toBeGreaterThan(10);
  expect(ours, output).toEqual([]);
}, 180_000);
