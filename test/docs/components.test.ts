/**
 * docs/COMPONENTS.md cannot rot: its `ts` code blocks are whole modules that type-check against
 * the real `sluice/dsl` and `sluice/components` (a `ts no-run` block only type-checks, a `ts
 * snippet` block is a fragment and is skipped), the components of `ts` blocks run on the iris
 * data, and the tables list every built-in component with every one of its ports.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as components from 'sluice/components';
import { approval } from 'sluice/dsl';
import { cleanupComponentRuns, runComponent, type WrittenArtifact } from '../../components/testing/runComponent';
import { projectRoot } from '../../engine/paths';

const DOC = path.join(projectRoot, 'docs', 'COMPONENTS.md');
/** Inside the repository, so `sluice/*` resolves as it does for a pipeline file (the package's own exports). */
const BLOCKS_DIR = path.join(projectRoot, '.sluice', 'doc-blocks', 'components');

interface CodeBlock {
  line: number;
  mode: 'run' | 'no-run' | 'snippet';
  code: string;
}

function tsBlocks(markdown: string): CodeBlock[] {
  const blocks: CodeBlock[] = [];
  const re = /^```ts( no-run| snippet)?\n([\s\S]*?)^```$/gm;
  for (let m = re.exec(markdown); m; m = re.exec(markdown)) {
    const mode = (m[1]?.trim() ?? 'run') as CodeBlock['mode'] | '';
    blocks.push({ line: markdown.slice(0, m.index).split('\n').length, mode: mode === '' ? 'run' : mode, code: m[2] ?? '' });
  }
  return blocks;
}

interface SpecLike {
  name: string;
  inputs: Record<string, unknown>;
  outputs: Record<string, unknown>;
}

function isComponent(value: unknown): value is { spec: SpecLike } {
  const spec = (value as { spec?: Partial<SpecLike> } | null)?.spec;
  return typeof spec === 'object' && spec !== null && typeof spec.name === 'string' && typeof spec.inputs === 'object' && typeof spec.outputs === 'object';
}

const markdown = readFileSync(DOC, 'utf8');
const blocks = tsBlocks(markdown);
const files = new Map<CodeBlock, string>();

beforeAll(async () => {
  await rm(BLOCKS_DIR, { recursive: true, force: true });
  await mkdir(BLOCKS_DIR, { recursive: true });
  for (const b of blocks.filter((x) => x.mode !== 'snippet')) {
    const file = path.join(BLOCKS_DIR, `block-line-${b.line}.ts`);
    await writeFile(file, b.code);
    files.set(b, file);
  }
});
afterAll(async () => {
  await cleanupComponentRuns();
  await rm(BLOCKS_DIR, { recursive: true, force: true });
});

describe('docs/COMPONENTS.md', () => {
  it('has code blocks of each kind (the extraction found them)', () => {
    expect(blocks.filter((b) => b.mode === 'run').length).toBeGreaterThan(0);
    expect(blocks.filter((b) => b.mode === 'snippet').length).toBeGreaterThan(0);
  });

  it('every ts block that is not a snippet type-checks as a module of this project', () => {
    const config = ts.getParsedCommandLineOfConfigFile(path.join(projectRoot, 'tsconfig.node.json'), {}, {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
      },
    });
    if (!config) throw new Error('tsconfig.node.json did not parse');
    const roots = [...files.values()];
    const program = ts.createProgram(roots, { ...config.options, incremental: false, noEmit: true });
    const problems = ts
      .getPreEmitDiagnostics(program)
      .filter((d) => d.file && roots.includes(path.resolve(d.file.fileName)))
      .map((d) => {
        const block = [...files.entries()].find(([, f]) => f === path.resolve(d.file!.fileName))?.[0];
        const { line } = d.file!.getLineAndCharacterOfPosition(d.start ?? 0);
        return `COMPONENTS.md line ${(block?.line ?? 0) + 1 + line}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
      });
    expect(problems).toEqual([]);
  });

  it('the components of every runnable block run on the iris data', async () => {
    const iris = await runComponent(components.loadIris, {});
    for (const [block, file] of files) {
      if (block.mode !== 'run') continue;
      const mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
      const defined = Object.values(mod).filter(isComponent);
      expect(defined.length, `block at line ${block.line} defines no component`).toBeGreaterThan(0);
      for (const c of defined) {
        // Every Dataset input gets the iris dataset; parameters keep their defaults.
        const inputs = Object.fromEntries(
          Object.entries(c.spec.inputs)
            .filter(([, port]) => (port as { kind?: string; type?: string }).kind === 'artifact' && (port as { type?: string }).type === 'Dataset')
            .map(([name]) => [name, iris.outputs.dataset]),
        );
        const run = await runComponent(c as Parameters<typeof runComponent>[0], inputs);
        // The block's own port names are unknown here: its outputs as the helper records them.
        const outputs = run.outputs as unknown as Record<string, WrittenArtifact>;
        for (const [port, written] of Object.entries(outputs)) {
          if (written.type === 'Dataset') await expect(components.readDataset(written.path), `${c.spec.name}.${port}`).resolves.toBeTruthy();
        }
      }
    }
  });

  it('the tables list every built-in component with every port', () => {
    const builtIn: SpecLike[] = [...(Object.values(components) as unknown[]).filter(isComponent).map((c) => c.spec), approval.spec];
    expect(builtIn.map((s) => s.name)).toEqual(expect.arrayContaining(['load-iris', 'split', 'select-best', 'approval']));
    const rows = markdown.split('\n').filter((l) => l.startsWith('| `'));
    const missing: string[] = [];
    for (const spec of builtIn) {
      const row = rows.find((r) => (r.split('|')[1] ?? '').includes(`\`${spec.name}\``));
      if (!row) {
        missing.push(`${spec.name}: no table row`);
        continue;
      }
      for (const port of [...Object.keys(spec.inputs), ...Object.keys(spec.outputs)]) {
        // A port is written `name`, `name: type`, `name = default` or `name?: type`.
        if (!new RegExp(`\`${port}(\`|:| =|\\?)`).test(row)) missing.push(`${spec.name}: port "${port}"`);
      }
    }
    expect(missing).toEqual([]);
  });
});
