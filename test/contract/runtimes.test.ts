/**
 * One TypeScript project per runtime (`npm run typecheck` = `tsc -b` over all of them): Node code
 * (tsconfig.node.json) sees Node's types and not the DOM's; the editor sees the DOM's and not Node's; dsl/ and the API contract
 * see neither (they run in both, and dsl/ir also in Temporal's workflow sandbox). This test proves each
 * project's file set is what it claims — a global of the wrong runtime (`process` in the editor,
 * `document` in the server) then fails to compile — and that the editor's and the CLI's projects do
 * compile the contract (they import it), so `tsc -b` checks them against it.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

/** The files of a project, as tsc would compile them (no type checking: just resolution). */
function filesOf(config: string): string[] {
  const parsed = ts.getParsedCommandLineOfConfigFile(path.join(repoRoot, config), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => { throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n')); } });
  if (!parsed) throw new Error(`cannot read ${config}`);
  expect(parsed.errors.map((e) => ts.flattenDiagnosticMessageText(e.messageText, '\n'))).toEqual([]);
  const program = ts.createProgram({ rootNames: parsed.fileNames, options: parsed.options });
  return program.getSourceFiles().map((f) => path.relative(repoRoot, f.fileName).split(path.sep).join('/'));
}

const nodeTypes = (files: string[]): string[] => files.filter((f) => f.includes('node_modules/@types/node/'));
const domTypes = (files: string[]): string[] => files.filter((f) => /\/lib\.dom(?:\.[\w.]+)?\.d\.ts$/.test(f));

describe('one TypeScript project per runtime', () => {
  it('dsl/ and the API contract: neither Node nor DOM types', () => {
    const files = filesOf('tsconfig.pure.json');
    expect(files).toEqual(expect.arrayContaining(['dsl/index.ts', 'engine/contract/index.ts', 'engine/contract/client.ts']));
    expect(nodeTypes(files)).toEqual([]);
    expect(domTypes(files)).toEqual([]);
  });

  it('the editor: DOM types, no Node types, and it compiles the contract it imports (sluice/api)', () => {
    const files = filesOf('editor/tsconfig.app.json');
    expect(files).toEqual(expect.arrayContaining(['editor/src/api/client.ts', 'engine/contract/index.ts', 'engine/contract/routes.ts']));
    expect(files.filter((f) => f.startsWith('engine/') && !f.startsWith('engine/contract/'))).toEqual([]);
    expect(nodeTypes(files)).toEqual([]);
    expect(domTypes(files).length).toBeGreaterThan(0);
  });

  it('Node code (server, CLI, workers): Node types, no DOM types, and the CLI compiles against the contract', () => {
    const files = filesOf('tsconfig.node.json');
    expect(files).toEqual(expect.arrayContaining(['engine/cli/api.ts', 'engine/server/routing.ts', 'engine/contract/index.ts']));
    expect(files.filter((f) => f.startsWith('editor/src/') || /\.test(?:-d)?\.tsx?$/.test(f) || f.includes('node_modules/vitest/'))).toEqual([]);
    expect(nodeTypes(files).length).toBeGreaterThan(0);
    expect(domTypes(files)).toEqual([]);
  });
});
