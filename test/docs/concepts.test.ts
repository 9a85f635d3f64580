/**
 * docs/CONCEPTS.md cannot rot: its `ts` code blocks are whole modules that type-check against the
 * real `sluice/dsl` and `sluice/components`, each pipeline they define compiles, its `json` block
 * is a valid dataset, and the README links the page.
 */
import { readFileSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDataset } from 'sluice/components';
import { compile, isPipeline } from '../../dsl/index';
import { projectRoot } from '../../engine/paths';

const DOC = path.join(projectRoot, 'docs', 'CONCEPTS.md');
/** Inside the repository, so `sluice/*` resolves as it does for a pipeline file. */
const BLOCKS_DIR = path.join(projectRoot, '.sluice', 'doc-blocks', 'concepts');

const markdown = readFileSync(DOC, 'utf8');

function blocks(lang: string): { line: number; code: string }[] {
  const found: { line: number; code: string }[] = [];
  const re = new RegExp(`^\`\`\`${lang}\\n([\\s\\S]*?)^\`\`\`$`, 'gm');
  for (let m = re.exec(markdown); m; m = re.exec(markdown)) found.push({ line: markdown.slice(0, m.index).split('\n').length, code: m[1] ?? '' });
  return found;
}

const tsBlocks = blocks('ts');
const files: { line: number; file: string }[] = [];

beforeAll(async () => {
  await rm(BLOCKS_DIR, { recursive: true, force: true });
  await mkdir(BLOCKS_DIR, { recursive: true });
  for (const b of tsBlocks) {
    const file = path.join(BLOCKS_DIR, `block-line-${b.line}.ts`);
    await writeFile(file, b.code);
    files.push({ line: b.line, file });
  }
});
afterAll(async () => {
  await rm(BLOCKS_DIR, { recursive: true, force: true });
});

describe('docs/CONCEPTS.md', () => {
  it('is linked from the README', () => {
    expect(readFileSync(path.join(projectRoot, 'README.md'), 'utf8')).toContain('docs/CONCEPTS.md');
  });

  it('every ts block type-checks as a module of this project', () => {
    expect(files.length).toBeGreaterThanOrEqual(3);
    const config = ts.getParsedCommandLineOfConfigFile(path.join(projectRoot, 'tsconfig.node.json'), {}, {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
      },
    });
    if (!config) throw new Error('tsconfig.node.json did not parse');
    const roots = files.map((f) => f.file);
    const program = ts.createProgram(roots, { ...config.options, incremental: false, noEmit: true });
    const problems = ts
      .getPreEmitDiagnostics(program)
      .filter((d) => d.file && roots.includes(path.resolve(d.file.fileName)))
      .map((d) => {
        const block = files.find((f) => f.file === path.resolve(d.file!.fileName));
        const { line } = d.file!.getLineAndCharacterOfPosition(d.start ?? 0);
        return `CONCEPTS.md line ${(block?.line ?? 0) + 1 + line}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
      });
    expect(problems).toEqual([]);
  });

  it('every pipeline a block defines compiles (validated, with a digest)', async () => {
    let pipelines = 0;
    for (const { line, file } of files) {
      const mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
      for (const value of Object.values(mod)) {
        if (!isPipeline(value)) continue;
        pipelines++;
        expect(compile(value).digest, `block at line ${line}`).toMatch(/^[0-9a-f]{64}$/);
      }
    }
    expect(pipelines).toBeGreaterThanOrEqual(2);
  });

  it('the dataset example follows the dataset format', () => {
    const [json] = blocks('json');
    expect(json, 'a json block').toBeDefined();
    expect(parseDataset(JSON.parse(json?.code ?? ''), 'CONCEPTS.md').target).toBe('species');
  });
});
