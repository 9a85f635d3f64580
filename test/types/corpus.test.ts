/**
 * The corpus of realistic DSL mistakes (test/types/corpus/cases, one file per case, issue 16):
 * every mistake must be refused, by tsc (preferably) or by compile() when the pipeline is defined,
 * and every valid form accepted. One TypeScript Program over all cases (not a tsc per file), then
 * the cases that type-check are imported and compiled. The table of outcomes is printed.
 *
 * Each case starts with a header:
 *   // category: <name>
 *   // expect: tsc <text the first line of the first error contains (ts.flattenDiagnosticMessageText)>
 *   // expect: compile <text the refusal contains>
 *   // expect: valid
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';
import { expect, it } from 'vitest';
import { compile, isPipeline } from '../../dsl/index';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const DIR = path.join(ROOT, 'test/types/corpus/cases');

interface Case {
  name: string;
  file: string;
  category: string;
  expect: 'tsc' | 'compile' | 'valid';
  text: string;
}

function readCases(): Case[] {
  return readdirSync(DIR)
    .filter((f) => f.endsWith('.ts'))
    .sort()
    .map((f) => {
      const file = path.join(DIR, f);
      const source = readFileSync(file, 'utf8');
      const category = /^\/\/ category: (.+)$/m.exec(source)?.[1]?.trim();
      const m = /^\/\/ expect: (tsc|compile|valid)[ \t]*(.*)$/m.exec(source);
      if (!category || !m) throw new Error(`${f}: header needs "// category: …" and "// expect: tsc|compile|valid …"`);
      return { name: f.replace(/\.ts$/, ''), file, category, expect: m[1] as Case['expect'], text: (m[2] ?? '').trim() };
    });
}

function typeErrors(cases: Case[]): Map<string, string[]> {
  const config = ts.getParsedCommandLineOfConfigFile(path.join(ROOT, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined });
  if (!config) throw new Error('cannot read tsconfig.json');
  const options: ts.CompilerOptions = { ...config.options, noEmit: true, incremental: false, tsBuildInfoFile: undefined, skipLibCheck: true };
  const program = ts.createProgram(cases.map((c) => c.file), options);
  const out = new Map<string, string[]>();
  for (const c of cases) {
    const sf = program.getSourceFile(c.file);
    if (!sf) throw new Error(`${c.name}: not in the program`);
    const diags = [...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf)];
    out.set(
      c.file,
      diags.map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n').split('\n')[0] ?? ''),
    );
  }
  return out;
}

type Outcome = 'tsc' | 'compile' | 'accepted';

/**
 * Imports the case (which runs `pipeline()`), then compiles it. `atDefinition`: the refusal came
 * from the import, i.e. before anything could run it (`tsx my-pipeline.ts` sees it too).
 */
async function runtimeOutcome(c: Case): Promise<{ outcome: Outcome; message: string; atDefinition?: boolean; code?: string }> {
  let mod: { default?: unknown };
  try {
    mod = (await import(pathToFileURL(c.file).href)) as { default?: unknown };
  } catch (e) {
    return { outcome: 'compile', message: (e as Error).message, atDefinition: true, code: (e as { code?: string }).code };
  }
  try {
    if (isPipeline(mod.default)) compile(mod.default);
    return { outcome: 'accepted', message: '' };
  } catch (e) {
    return { outcome: 'compile', message: (e as Error).message, atDefinition: false, code: (e as { code?: string }).code };
  }
}

it('every mistake in the corpus is refused (mostly by tsc) and every valid form accepted', async () => {
  const cases = readCases();
  const errors = typeErrors(cases);
  const rows: { c: Case; outcome: Outcome; message: string; atDefinition?: boolean; code?: string }[] = [];
  for (const c of cases) {
    const tsc = errors.get(c.file) ?? [];
    if (tsc.length > 0) rows.push({ c, outcome: 'tsc', message: tsc[0] ?? '' });
    else rows.push({ c, ...(await runtimeOutcome(c)) });
  }

  const categories = [...new Set(cases.map((c) => c.category))];
  const count = (cat: string | undefined, o: Outcome, valid: boolean): number =>
    rows.filter((r) => (cat === undefined || r.c.category === cat) && r.outcome === o && (r.c.expect === 'valid') === valid).length;
  const readable = (cat: string | undefined): number => rows.filter((r) => (cat === undefined || r.c.category === cat) && r.c.expect !== 'valid' && r.outcome === 'tsc' && r.message.includes('✗')).length;
  const lines = ['category | mistakes | caught by tsc | first line says it (✗ …) | only by compile | not caught | valid forms | valid refused'];
  for (const cat of [...categories, undefined]) {
    const mistakes = rows.filter((r) => (cat === undefined || r.c.category === cat) && r.c.expect !== 'valid').length;
    const valid = rows.filter((r) => (cat === undefined || r.c.category === cat) && r.c.expect === 'valid').length;
    lines.push(
      `${cat ?? 'total'} | ${mistakes} | ${count(cat, 'tsc', false)} | ${readable(cat)} | ${count(cat, 'compile', false)} | ${count(cat, 'accepted', false)} | ${valid} | ${count(cat, 'tsc', true) + count(cat, 'compile', true)}`,
    );
  }
  console.log(lines.join('\n'));
  for (const r of rows) {
    if (r.outcome !== 'accepted') console.log(`${r.c.name} [${r.outcome}] ${r.message.split('\n')[0]}`);
  }

  // Each case ends the way its header says, with the message it names.
  const wrong = rows
    .filter((r) => (r.c.expect === 'valid' ? r.outcome !== 'accepted' : r.outcome !== r.c.expect || !r.message.includes(r.c.text)))
    .map((r) => `${r.c.name}: expected ${r.c.expect} "${r.c.text}", got ${r.outcome}: ${r.message}`);
  expect(wrong).toEqual([]);

  // Wiring mistakes (issue 18): the first line tsc prints says the problem in words ("✗ input
  // 'model' takes a Model artifact; this is a Dataset artifact"), not two structural types
  // (a misspelt output keeps tsc's own "Property 'modle' does not exist … Did you mean 'model'?").
  const unreadable = rows.filter((r) => ['wiring', 'optional-into-required'].includes(r.c.category) && r.c.expect === 'tsc' && !r.c.text.startsWith('✗') && !r.message.includes('Did you mean'));
  expect(unreadable.map((r) => r.c.name)).toEqual([]);

  // What tsc lets through is refused when the pipeline is defined (importing the module), not
  // only by a later compile(): by the validator (invalid-pipeline) or a DSL check (dsl-misuse).
  const late = rows.filter((r) => r.outcome === 'compile' && (!r.atDefinition || !['invalid-pipeline', 'dsl-misuse'].includes(r.code ?? '')));
  expect(late.map((r) => `${r.c.name}: ${r.atDefinition ? `code ${r.code}` : 'refused only by compile()'}`)).toEqual([]);

  const mistakes = rows.filter((r) => r.c.expect !== 'valid');
  expect(mistakes.length).toBeGreaterThanOrEqual(60);
  expect(mistakes.filter((r) => r.outcome === 'accepted')).toEqual([]);
  expect(mistakes.filter((r) => r.outcome === 'tsc').length / mistakes.length).toBeGreaterThanOrEqual(0.75);
}, 180_000);
