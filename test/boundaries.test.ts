/**
 * The runtime boundaries (STYLE.md habit 1, DESIGN.md "Layout"), proved twice:
 *
 *  1. By following imports: from every file of `dsl/`, `engine/temporal/workflows/`, `engine/contract/`
 *     (the API contract, `sluice/api`) and `editor/src/`, every import is
 *     followed transitively through our own files (type-only imports included), and the test fails
 *     naming the chain of files if anything reachable imports a Node built-in, a database or server
 *     library, a Temporal package that the workflow sandbox refuses, or one of our files outside the
 *     folders that the boundary allows. This does not trust eslint.config.js.
 *  2. By testing the lint rules themselves: ESLint, with the project's own eslint.config.js, lints
 *     small snippets as if they lived in `dsl/`, `engine/temporal/workflows/` and `components/`, and must
 *     refuse the forbidden imports with the boundary's message (and accept the allowed ones).
 *     `import-x/no-cycle` is shown to catch a two-file cycle.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint, type Linter } from 'eslint';
import { disallowedModules } from '@temporalio/worker/lib/workflow/bundler';
import ts from 'typescript';
import tseslint from 'typescript-eslint';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));

// ---------------------------------------------------------------------------------------------
// 1. The import graph
// ---------------------------------------------------------------------------------------------

/** Tests run in Node under vitest and are never bundled for the browser or the workflow sandbox. */
const isTestFile = (file: string): boolean => /\.(?:test|test-d|contract)\.tsx?$/.test(file);

interface ImportRef {
  specifier: string;
  typeOnly: boolean;
}

/** Every module a file refers to: static imports, re-exports, `import()`, `require()`, `import('x')` types. */
function importsOf(file: string): ImportRef[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true, file.endsWith('.tsx') ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
  const refs: ImportRef[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      // Only `import type …` is erased: under verbatimModuleSyntax `import { type A } from 'x'`
      // still loads 'x' (it becomes `import {} from 'x'`).
      refs.push({ specifier: node.moduleSpecifier.text, typeOnly: node.importClause?.isTypeOnly ?? false });
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      refs.push({ specifier: node.moduleSpecifier.text, typeOnly: node.isTypeOnly });
    } else if (
      ts.isImportEqualsDeclaration(node) &&
      ts.isExternalModuleReference(node.moduleReference) &&
      ts.isStringLiteral(node.moduleReference.expression)
    ) {
      refs.push({ specifier: node.moduleReference.expression.text, typeOnly: node.isTypeOnly });
    } else if (ts.isCallExpression(node) && node.arguments.length > 0) {
      const [arg] = node.arguments;
      const isImport = node.expression.kind === ts.SyntaxKind.ImportKeyword;
      const isRequire = ts.isIdentifier(node.expression) && node.expression.text === 'require';
      if ((isImport || isRequire) && arg && ts.isStringLiteralLike(arg)) refs.push({ specifier: arg.text, typeOnly: false });
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      refs.push({ specifier: node.argument.literal.text, typeOnly: true });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return refs;
}

const compilerOptions = ((): ts.CompilerOptions => {
  const configPath = path.join(repoRoot, 'tsconfig.json');
  const read = ts.readConfigFile(configPath, (f) => ts.sys.readFile(f));
  if (read.error) throw new Error(ts.flattenDiagnosticMessageText(read.error.messageText, '\n'));
  const config: unknown = read.config;
  return ts.parseJsonConfigFileContent(config, ts.sys, repoRoot, undefined, configPath).options;
})();

/** The package's own name: `sluice/dsl` is one of our files, never a third-party package. */
const ownPackage = ((): string => {
  const { name } = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { name?: unknown };
  if (typeof name !== 'string') throw new Error('package.json has no name');
  return name;
})();

type Resolved =
  | { kind: 'builtin'; name: string }
  | { kind: 'package'; name: string }
  | { kind: 'file'; file: string }
  | { kind: 'unresolved' };

/** Resolves a specifier the way `tsc` does (moduleResolution "Bundler", package self-references). */
function resolve(specifier: string, fromFile: string): Resolved {
  if (isBuiltin(specifier)) return { kind: 'builtin', name: specifier };
  const { resolvedModule } = ts.resolveModuleName(specifier, fromFile, compilerOptions, ts.sys);
  if (resolvedModule && !resolvedModule.isExternalLibraryImport) return { kind: 'file', file: resolvedModule.resolvedFileName };
  const isOurs =
    specifier.startsWith('.') || path.isAbsolute(specifier) || specifier === ownPackage || specifier.startsWith(`${ownPackage}/`);
  if (isOurs) return { kind: 'unresolved' };
  // A third-party package (resolved or not: optional packages may be absent). Its own imports are
  // its business; what matters is which package our code pulls in.
  return { kind: 'package', name: specifier };
}

interface Boundary {
  /** Where the boundary's files live, relative to the root (e.g. `dsl`). */
  folder: string;
  /** Why the boundary exists, for the failure message. */
  why: string;
  /** Which of our files (relative to the root, `/`-separated) code inside the boundary may reach. */
  mayReach: (rel: string) => boolean;
  mayReachText: string;
  /** Packages that must never be reached, with the reason. */
  forbidden: Array<{ test: (name: string) => boolean; what: string }>;
}

const nodeBuiltin = { test: (name: string): boolean => isBuiltin(name), what: 'a Node built-in' };
const dbAndServer = {
  test: (name: string): boolean => /^(?:pg|pg-[\w-]+|@electric-sql\/pglite|drizzle-orm|drizzle-kit|express)(?:\/|$)/.test(name),
  what: 'a database or server library',
};
const mlRuntime = { test: (name: string): boolean => /^(?:@tensorflow\/|onnxruntime-)/.test(name), what: 'an ML runtime' };

const BOUNDARIES: Boundary[] = [
  {
    folder: 'dsl',
    why: 'dsl/ runs in the browser (the editor) and inside the Temporal workflow sandbox',
    mayReach: (rel) => rel.startsWith('dsl/'),
    mayReachText: 'dsl/',
    forbidden: [
      nodeBuiltin,
      dbAndServer,
      mlRuntime,
      { test: (name) => name.startsWith('@temporalio/'), what: 'a Temporal package (the DSL is orchestrator-independent)' },
    ],
  },
  {
    folder: 'engine/temporal/workflows',
    why: "engine/temporal/workflows/ runs in Temporal's deterministic workflow sandbox",
    mayReach: (rel) => rel.startsWith('engine/temporal/workflows/') || rel.startsWith('dsl/ir/') || rel === 'dsl/errors.ts',
    mayReachText: 'engine/temporal/workflows/, dsl/ir/ and dsl/errors.ts',
    forbidden: [
      nodeBuiltin,
      dbAndServer,
      mlRuntime,
      {
        // All of Temporal but @temporalio/workflow and the root of @temporalio/common: the rest
        // (activity, client, worker, testing, common/lib/internal-non-workflow, …) needs Node.
        test: (name) => /^@temporalio\/(?!workflow(?:\/|$)|common$)/.test(name),
        what: 'a Temporal package that the workflow bundler refuses',
      },
    ],
  },
  {
    folder: 'engine/contract',
    why: 'engine/contract/ (the API contract, sluice/api) is bundled into the editor and loaded by the CLI and the server',
    mayReach: (rel) => rel.startsWith('engine/contract/') || rel.startsWith('dsl/ir/'),
    mayReachText: 'engine/contract/ and dsl/ir/',
    forbidden: [
      nodeBuiltin,
      dbAndServer,
      mlRuntime,
      { test: (name) => name.startsWith('@temporalio/'), what: 'a Temporal package' },
      // zod describes the contract; the pure IR it may reach hashes with @noble/hashes.
      { test: (name) => !/^(?:zod|@noble\/hashes)(?:\/|$)/.test(name), what: 'a package other than zod (the contract is schemas and a fetch client)' },
    ],
  },
  {
    folder: 'editor/src',
    why: 'editor/src/ runs in the browser and reaches the engine only over HTTP',
    mayReach: (rel) => rel.startsWith('editor/src/') || rel.startsWith('dsl/') || rel.startsWith('engine/contract/'),
    mayReachText: 'editor/src/, dsl/ and engine/contract/ (sluice/dsl, sluice/api)',
    forbidden: [nodeBuiltin, dbAndServer, mlRuntime, { test: (name) => name.startsWith('@temporalio/'), what: 'a Temporal package' }],
  },
];

function listTsFiles(dir: string): string[] {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return listTsFiles(full);
    return e.isFile() && /\.tsx?$/.test(e.name) && !e.name.endsWith('.d.ts') && !isTestFile(e.name) ? [full] : [];
  });
}

interface Walk {
  /** Files the walk reached, relative to the root. */
  reached: Set<string>;
  /** One line per problem, naming the chain of files that leads to it. */
  violations: string[];
}

/** Follows every import from every file of the boundary's folder, breadth first. */
function walkBoundary(root: string, boundary: Boundary): Walk {
  const rel = (file: string): string => path.relative(root, file).split(path.sep).join('/');
  const roots = listTsFiles(path.join(root, boundary.folder));
  const parent = new Map<string, string | undefined>(roots.map((f) => [f, undefined]));
  const queue = [...roots];
  const violations = new Set<string>();
  const chain = (file: string): string => {
    const files: string[] = [];
    for (let f: string | undefined = file; f !== undefined; f = parent.get(f)) files.unshift(rel(f));
    return files.join(' → ');
  };
  for (let file = queue.shift(); file !== undefined; file = queue.shift()) {
    for (const { specifier, typeOnly } of importsOf(file)) {
      // Stylesheets and images are the bundler's (Vite), not code.
      if (/\.(?:css|svg|png)$/.test(specifier)) continue;
      const how = `imports '${specifier}'${typeOnly ? ' (type-only)' : ''}`;
      const target = resolve(specifier, file);
      switch (target.kind) {
        case 'builtin':
        case 'package': {
          const hit = boundary.forbidden.find((f) => f.test(target.name));
          if (hit) violations.add(`${chain(file)} ${how}: ${hit.what}`);
          break;
        }
        case 'unresolved':
          violations.add(`${chain(file)} ${how}: cannot be resolved, so the check cannot follow it`);
          break;
        case 'file': {
          const targetRel = rel(target.file);
          if (!boundary.mayReach(targetRel)) {
            violations.add(`${chain(file)} ${how} → ${targetRel}: outside ${boundary.mayReachText}`);
          } else if (!parent.has(target.file)) {
            parent.set(target.file, file);
            queue.push(target.file);
          }
          break;
        }
      }
    }
  }
  return { reached: new Set([...parent.keys()].map(rel)), violations: [...violations].sort() };
}

describe('runtime boundaries, by following imports', () => {
  for (const boundary of BOUNDARIES) {
    it(`nothing reachable from ${boundary.folder}/ leaves ${boundary.mayReachText} or pulls in a forbidden module`, () => {
      const { reached, violations } = walkBoundary(repoRoot, boundary);
      expect(reached.size, `no .ts files found under ${boundary.folder}/`).toBeGreaterThan(0);
      expect(
        violations,
        `${boundary.why}, so nothing it imports (directly or not) may be a Node built-in, a database, ` +
          `a server or a forbidden Temporal package, nor one of our files outside ${boundary.mayReachText}:\n  ` +
          violations.join('\n  '),
      ).toEqual([]);
    });
  }

  it('the workflow walk follows imports into the pure IR (so an empty result means something)', () => {
    const workflows = BOUNDARIES.find((b) => b.folder === 'engine/temporal/workflows');
    if (!workflows) throw new Error('no engine/temporal/workflows boundary');
    const { reached } = walkBoundary(repoRoot, workflows);
    expect([...reached].some((f) => f.startsWith('dsl/ir/'))).toBe(true);
  });

  it('the editor walk follows sluice/api into the contract and sluice/dsl into the DSL', () => {
    const editor = BOUNDARIES.find((b) => b.folder === 'editor/src');
    if (!editor) throw new Error('no editor/src boundary');
    const { reached } = walkBoundary(repoRoot, editor);
    expect(reached).toContain('engine/contract/index.ts');
    expect(reached).toContain('dsl/index.ts');
  });

  describe('the walker itself, on a fixture tree', () => {
    let fixture: string;
    beforeAll(() => {
      fixture = mkdtempSync(path.join(tmpdir(), 'sluice-boundaries-'));
      const write = (rel: string, text: string): void => {
        mkdirSync(path.dirname(path.join(fixture, rel)), { recursive: true });
        writeFileSync(path.join(fixture, rel), text);
      };
      write('dsl/index.ts', "export * from './a';\n");
      write('dsl/a.ts', "import { b } from './b';\nexport const a = b;\n");
      write('dsl/b.ts', "import type { Stats } from 'node:fs';\nexport const b = 1;\nexport type S = Stats;\n");
      write('dsl/c.ts', "import { run } from 'sluice/engine';\nexport const c = run;\n");
      write('dsl/ok.test.ts', "import fs from 'node:fs';\nexport const t = fs;\n");
      write('dsl/ir/schema.ts', "import { h } from './helper';\nexport const s = h;\n");
      write('dsl/ir/helper.ts', "import type { C } from '../compile';\nexport const h = 1;\nexport type H = C;\n");
      write('dsl/compile.ts', "import { s } from './ir/schema';\nexport const c = s;\nexport type C = typeof c;\n");
      write('engine/temporal/workflows/w.ts', "import { s } from '../../../dsl/ir/schema';\nimport { x } from './x';\nexport const w = [s, x];\n");
      write('engine/temporal/workflows/x.ts', "export const x = () => import('@temporalio/client');\n");
      write('engine/stores/metadata/store.ts', "import pg from 'pg';\nexport const store = pg;\n");
      write('engine/temporal/workflows/y.ts', "import type { store } from '../../stores/metadata/store';\nexport type Y = typeof store;\n");
      write('engine/temporal/workflows/z.ts', "import { gone } from './missing';\nexport const z = gone;\n");
    });
    afterAll(() => rmSync(fixture, { recursive: true, force: true }));

    it('reports a forbidden module where it is imported, type-only imports included, and skips tests', () => {
      const dsl = BOUNDARIES.find((b) => b.folder === 'dsl');
      if (!dsl) throw new Error('no dsl boundary');
      expect(walkBoundary(fixture, dsl).violations).toEqual([
        "dsl/b.ts imports 'node:fs' (type-only): a Node built-in",
        "dsl/c.ts imports 'sluice/engine': cannot be resolved, so the check cannot follow it",
      ]);
    });

    it('names the chain of files into a forbidden folder, and refuses import() of forbidden packages and unresolved imports', () => {
      const workflows = BOUNDARIES.find((b) => b.folder === 'engine/temporal/workflows');
      if (!workflows) throw new Error('no engine/temporal/workflows boundary');
      expect(walkBoundary(fixture, workflows).violations).toEqual([
        "engine/temporal/workflows/w.ts → dsl/ir/schema.ts → dsl/ir/helper.ts imports '../compile' (type-only) → dsl/compile.ts: outside engine/temporal/workflows/, dsl/ir/ and dsl/errors.ts",
        "engine/temporal/workflows/x.ts imports '@temporalio/client': a Temporal package that the workflow bundler refuses",
        "engine/temporal/workflows/y.ts imports '../../stores/metadata/store' (type-only) → engine/stores/metadata/store.ts: outside engine/temporal/workflows/, dsl/ir/ and dsl/errors.ts",
        "engine/temporal/workflows/z.ts imports './missing': cannot be resolved, so the check cannot follow it",
      ]);
    });
  });
});

// ---------------------------------------------------------------------------------------------
// 2. The lint rules
// ---------------------------------------------------------------------------------------------

/**
 * The snippets live at paths that do not exist on disk, which typescript-eslint's project service
 * cannot type-check; so type information is switched off for them. The boundary rules do not need
 * it: everything else comes from eslint.config.js as it is.
 */
const withoutTypes: Linter.Config[] = [{ files: ['**/*.ts'], ...(tseslint.configs.disableTypeChecked as Linter.Config) }];

const BOUNDARY_RULES = new Set(['@typescript-eslint/no-restricted-imports', 'no-restricted-syntax', 'no-restricted-globals', 'sluice/module-entry']);

interface Case {
  file: string;
  code: string;
  /** A fragment of the expected message, or null when the import is allowed. */
  refused: string | null;
}

const DSL_NODE = 'dsl/ may not import Node built-ins: the DSL runs in the browser';
const DSL_DB = 'dsl/ may not import databases or servers';
const DSL_TEMPORAL = 'dsl/ may not import @temporalio/*';
const DSL_FOLDER = 'dsl/ may not import other Sluice folders';
const DSL_ML = 'dsl/ may not import ML runtimes';
const WF_NODE = "engine/temporal/workflows/ may not import Node built-ins: workflow code runs in Temporal's deterministic sandbox";
const WF_DB = 'engine/temporal/workflows/ may not import databases or servers';
const WF_TEMPORAL = 'engine/temporal/workflows/ may import only @temporalio/workflow and @temporalio/common (its root)';
const WF_FOLDER = 'engine/temporal/workflows/ may import only files within engine/temporal/workflows/, the pure IR';
const WF_PACKAGE = 'engine/temporal/workflows/ may import only @temporalio/workflow, @temporalio/common and the pure IR';
const COMPONENTS_FOLDER = 'components/ may not import engine/, workers/ or editor/';
const CONTRACT_NODE = 'engine/contract/ may not import Node built-ins';
const CONTRACT_SERVER = 'engine/contract/ may not import databases, servers, Temporal or ML runtimes';
const CONTRACT_FOLDER = 'engine/contract/ may import only files within engine/contract/ and the pure IR';
const CONTRACT_PACKAGE = 'engine/contract/ may import only zod';
const EDITOR_FOLDER = 'editor/src talks to the engine only over HTTP and uses only the DSL and the API contract';
const RAW_FETCH = 'may not call fetch() itself: call the API through the typed client of its contract (sluice/api';

const CASES: Case[] = [
  // dsl/: refused
  { file: 'dsl/probe.ts', code: "import fs from 'node:fs';", refused: DSL_NODE },
  { file: 'dsl/probe.ts', code: "import { readFile } from 'fs/promises';", refused: DSL_NODE },
  { file: 'dsl/ir/probe.ts', code: "import { createHash } from 'crypto';", refused: DSL_NODE },
  { file: 'dsl/probe.ts', code: "import { spawn } from 'child_process';", refused: DSL_NODE },
  { file: 'dsl/probe.ts', code: "import type { Stats } from 'node:fs';", refused: DSL_NODE },
  { file: 'dsl/probe.ts', code: "import pg from 'pg';", refused: DSL_DB },
  { file: 'dsl/probe.ts', code: "import { PGlite } from '@electric-sql/pglite';", refused: DSL_DB },
  { file: 'dsl/probe.ts', code: "import { pgTable } from 'drizzle-orm/pg-core';", refused: DSL_DB },
  { file: 'dsl/probe.ts', code: "import express from 'express';", refused: DSL_DB },
  { file: 'dsl/probe.ts', code: "import { proxyActivities } from '@temporalio/workflow';", refused: DSL_TEMPORAL },
  { file: 'dsl/probe.ts', code: "import * as tf from '@tensorflow/tfjs';", refused: DSL_ML },
  { file: 'dsl/probe.ts', code: "import { projectRoot } from '../engine/paths';", refused: DSL_FOLDER },
  { file: 'dsl/ir/probe.ts', code: "export * from '../../components/index';", refused: DSL_FOLDER },
  { file: 'dsl/probe.ts', code: "export { startWorkers } from '../workers/cpu';", refused: DSL_FOLDER },
  { file: 'dsl/probe.ts', code: "import { Canvas } from '../editor/Canvas';", refused: DSL_FOLDER },
  { file: 'dsl/probe.ts', code: "export const load = () => import('./ir/schema');", refused: 'dsl/ may not use dynamic import()' },
  // dsl/: allowed
  { file: 'dsl/probe.ts', code: "import { z } from 'zod';\nimport { sha256 } from '@noble/hashes/sha2.js';", refused: null },
  { file: 'dsl/probe.ts', code: "import type { PipelineSpec } from './ir/schema';\nimport { DslError } from './errors';", refused: null },
  { file: 'dsl/probe.test.ts', code: "import fs from 'node:fs';", refused: null },

  // engine/temporal/workflows/: refused
  { file: 'engine/temporal/workflows/probe.ts', code: "import fs from 'node:fs';", refused: WF_NODE },
  { file: 'engine/temporal/workflows/probe.ts', code: "import { randomUUID } from 'crypto';", refused: WF_NODE },
  { file: 'engine/temporal/workflows/probe.ts', code: "import pg from 'pg';", refused: WF_DB },
  { file: 'engine/temporal/workflows/probe.ts', code: "import { eq } from 'drizzle-orm';", refused: WF_DB },
  { file: 'engine/temporal/workflows/probe.ts', code: "import express from 'express';", refused: WF_DB },
  { file: 'engine/temporal/workflows/probe.ts', code: "import { Context } from '@temporalio/activity';", refused: WF_TEMPORAL },
  { file: 'engine/temporal/workflows/probe.ts', code: "import { Worker } from '@temporalio/worker';", refused: WF_TEMPORAL },
  { file: 'engine/temporal/workflows/probe.ts', code: "import { Client } from '@temporalio/client';", refused: WF_TEMPORAL },
  {
    file: 'engine/temporal/workflows/probe.ts',
    code: "import { filterNullAndUndefined } from '@temporalio/common/lib/internal-non-workflow';",
    refused: WF_TEMPORAL,
  },
  { file: 'engine/temporal/workflows/probe.ts', code: "import { executeTask } from '../activities/executeTask';", refused: WF_FOLDER },
  { file: 'engine/temporal/workflows/probe.ts', code: "import type { MetadataStore } from '../../stores/metadata/MetadataStore';", refused: WF_FOLDER },
  { file: 'engine/temporal/workflows/probe.ts', code: "import { loadIris } from '../../../components/index';", refused: WF_FOLDER },
  { file: 'engine/temporal/workflows/probe.ts', code: "import { start } from '../../../workers/cpu';", refused: WF_FOLDER },
  { file: 'engine/temporal/workflows/probe.ts', code: "import { compile } from '../../../dsl/compile';", refused: WF_FOLDER },
  { file: 'engine/temporal/workflows/probe.ts', code: "import { compile } from 'sluice/dsl';", refused: "engine/temporal/workflows/ may not import the package by name" },
  { file: 'engine/temporal/workflows/probe.ts', code: "import { z } from 'zod';", refused: WF_PACKAGE },
  { file: 'engine/temporal/workflows/probe.ts', code: "const m = require('./types');\nexport { m };", refused: 'engine/temporal/workflows/ may not use require()' },
  // engine/temporal/workflows/: allowed
  {
    file: 'engine/temporal/workflows/probe.ts',
    code: [
      "import { proxyActivities } from '@temporalio/workflow';",
      "import { ApplicationFailure } from '@temporalio/common';",
      "import { validatePipeline } from '../../../dsl/ir/validate';",
      "import type { PipelineSpec } from '../../../dsl/ir/index';",
      "import { NonRetryableError } from '../../../dsl/errors';",
      "import { STATUS_QUERY } from './types';",
    ].join('\n'),
    refused: null,
  },

  // engine/contract/ (sluice/api): refused
  { file: 'engine/contract/probe.ts', code: "import { readFile } from 'node:fs/promises';", refused: CONTRACT_NODE },
  { file: 'engine/contract/probe.ts', code: "import express from 'express';", refused: CONTRACT_SERVER },
  { file: 'engine/contract/probe.ts', code: "import { Client } from '@temporalio/client';", refused: CONTRACT_SERVER },
  { file: 'engine/contract/probe.ts', code: "import { createApiServer } from '../server/index';", refused: CONTRACT_FOLDER },
  { file: 'engine/contract/probe.ts', code: "import type { RunRecord } from '../stores/metadata/index';", refused: CONTRACT_FOLDER },
  { file: 'engine/contract/probe.ts', code: "import { compile } from '../../dsl/index';", refused: CONTRACT_FOLDER },
  { file: 'engine/contract/probe.ts', code: "import { compile } from 'sluice/dsl';", refused: "engine/contract/ may not import the package by name" },
  { file: 'engine/contract/probe.ts', code: "import ky from 'ky';", refused: CONTRACT_PACKAGE },
  { file: 'engine/contract/probe.ts', code: "export const load = () => import('./routes');", refused: 'engine/contract/ may not use dynamic import()' },
  // engine/contract/: allowed
  {
    file: 'engine/contract/probe.ts',
    code: "import { z } from 'zod';\nimport type { PipelineSpec } from '../../dsl/ir/schema';\nimport { apiRoutes } from './routes';",
    refused: null,
  },
  // editor/src: the contract by its package name; every HTTP call through its client
  { file: 'editor/src/probe.ts', code: "import { createApiClient, type Run } from 'sluice/api';\nimport { validatePipeline } from 'sluice/ir';", refused: null },
  { file: 'editor/src/probe.ts', code: "import { apiRoutes } from '../../engine/contract/index';", refused: EDITOR_FOLDER },
  { file: 'editor/src/probe.ts', code: "import { submitRun } from 'sluice/engine';", refused: "editor/src may import only sluice/dsl, sluice/ir, sluice/codegen and sluice/api" },
  { file: 'editor/src/pages/probe.ts', code: "export const runs = () => fetch('/api/runs');", refused: `editor/src ${RAW_FETCH}` },
  { file: 'editor/src/pages/probe.ts', code: "export const open = () => new EventSource('/api/runs/events');", refused: 'editor/src may not open an EventSource itself' },
  { file: 'engine/cli/commands/probe.ts', code: "export const runs = () => fetch('http://127.0.0.1:8080/api/runs');", refused: `engine/cli ${RAW_FETCH}` },

  // errors are recognised by their code, never by their message text (also inside the folders with syntax rules of their own)
  { file: 'engine/cli/probe.ts', code: 'export const gone = (e: Error) => /^no run/.test(e.message);', refused: 'Do not recognise an error by its message text' },
  { file: 'engine/runs/probe.ts', code: "export const gone = (e: Error) => e.message.includes('not found');", refused: 'Do not recognise an error by its message text' },
  { file: 'engine/temporal/workflows/probe.ts', code: "export const gone = (e: Error) => e.message.startsWith('no ');", refused: 'Do not recognise an error by its message text' },
  { file: 'engine/cli/probe.ts', code: "export const gone = (e: Error & { code?: string }) => e.code === 'not-found' && e.message.length > 0;", refused: null },
  // components/: refused
  { file: 'components/data/probe.ts', code: "import { openMetadataStore } from '../../engine/stores/metadata/index';", refused: COMPONENTS_FOLDER },
  { file: 'components/probe.ts', code: "import { LocalArtifactStore } from '../engine/stores/artifacts/LocalArtifactStore';", refused: COMPONENTS_FOLDER },
  { file: 'components/probe.ts', code: "import { gpus } from '../workers/runtime';", refused: COMPONENTS_FOLDER },
  { file: 'components/probe.ts', code: "import { submitRun } from 'sluice/engine';", refused: 'components/ may not import sluice/engine' },
  { file: 'components/probe.ts', code: "import { t } from '../dsl/ports';", refused: "use 'sluice/dsl'" },
  // modules of engine/ (by process role) are entered through their index.ts
  { file: 'engine/server/probe.ts', code: "import { schema } from '../stores/metadata/schema';", refused: 'an internal file of engine/stores/metadata/' },
  { file: 'engine/cli/commands/probe.ts', code: "export { planRetry } from '../../runs/retryRun';", refused: "Import from '../../runs/index'" },
  { file: 'engine/server/probe.ts', code: "const m = () => import('../temporal/activities/executeTask');\nexport { m };", refused: 'an internal file of engine/temporal/activities/' },
  { file: 'engine/server/probe.ts', code: "import { detectGpus } from '../../workers/runtime/index';", refused: 'only the CLI (engine/cli/) may import workers/' },
  {
    file: 'engine/server/probe.ts',
    code: "import type { MetadataStore } from '../stores/metadata/index';\nimport { STATUS_QUERY } from '../temporal/workflows/types';\nimport { stateDir } from '../paths';\nimport { x } from './routing';",
    refused: null,
  },
  { file: 'engine/cli/probe.ts', code: "import { detectGpus } from '../../workers/runtime/index';", refused: null },
  // the light entries the CLI's `sluice run` imports without their module's heavy parts (scripts/lint/moduleBoundaries.js)
  { file: 'engine/cli/probe.ts', code: "import { readStateOwner } from '../stack/stateLock';\nimport { resolveRunParams } from '../runs/runParams';", refused: null },
  { file: 'engine/cli/probe.ts', code: "import { EmbeddedStack } from '../stack/EmbeddedStack';", refused: 'an internal file of engine/stack/' },
  // components/: allowed
  {
    file: 'components/probe.ts',
    code: "import { component, t } from 'sluice/dsl';\nimport * as tf from '@tensorflow/tfjs';\nimport { readFile } from 'node:fs/promises';",
    refused: null,
  },
];

describe('runtime boundaries, as lint rules (eslint.config.js)', () => {
  const eslint = new ESLint({ cwd: repoRoot, overrideConfig: withoutTypes });

  it.each(CASES)('$file: $code', async ({ file, code, refused }) => {
    const [result] = await eslint.lintText(`${code}\n`, { filePath: path.join(repoRoot, file) });
    if (!result) throw new Error('ESLint returned no result');
    const fatal = result.messages.filter((m) => m.fatal);
    expect(fatal, 'the snippet must parse').toEqual([]);
    const boundary = result.messages.filter((m) => m.ruleId !== null && BOUNDARY_RULES.has(m.ruleId)).map((m) => m.message);
    if (refused === null) {
      expect(boundary).toEqual([]);
    } else {
      // Exactly one report, so each forbidden import gets one clear message, not a pile.
      expect(boundary).toHaveLength(1);
      expect(boundary[0]).toContain(refused);
    }
  });

  it("refuses in engine/temporal/workflows/ every module that Temporal's workflow bundler refuses", async () => {
    // The SDK's own list (Node built-ins, @temporalio/activity|client|worker|testing, …), so an SDK
    // upgrade that forbids more shows up here. Deep import: the list is not re-exported.
    const workflows = BOUNDARIES.find((b) => b.folder === 'engine/temporal/workflows');
    if (!workflows) throw new Error('no engine/temporal/workflows boundary');
    expect(disallowedModules.length).toBeGreaterThan(10);
    const missed: string[] = [];
    for (const name of disallowedModules) {
      const [result] = await eslint.lintText(`import x from '${name}';\nexport { x };\n`, {
        filePath: path.join(repoRoot, 'engine/temporal/workflows/probe.ts'),
      });
      const refusedByLint = result?.messages.some((m) => m.ruleId === '@typescript-eslint/no-restricted-imports') ?? false;
      const refusedByWalk = workflows.forbidden.some((f) => f.test(name));
      if (!refusedByLint || !refusedByWalk) missed.push(`${name} (lint: ${refusedByLint}, import walk: ${refusedByWalk})`);
    }
    expect(missed).toEqual([]);
  });

  describe('import-x/no-cycle', () => {
    let fixture: string;
    beforeAll(() => {
      fixture = mkdtempSync(path.join(tmpdir(), 'sluice-cycle-'));
      writeFileSync(path.join(fixture, 'a.ts'), "import { b } from './b';\nexport const a = (): number => b() + 1;\n");
      writeFileSync(path.join(fixture, 'b.ts'), "import { a } from './a';\nexport const b = (): number => a() - 1;\n");
      writeFileSync(path.join(fixture, 'c.ts'), "import type { D } from './d';\nexport interface C { d?: D }\n");
      writeFileSync(path.join(fixture, 'd.ts'), "import type { C } from './c';\nexport interface D { c?: C }\n");
    });
    afterAll(() => rmSync(fixture, { recursive: true, force: true }));

    it('reports a cycle of value imports between two files (extensionless TypeScript paths resolve)', async () => {
      const cycleLint = new ESLint({
        cwd: fixture,
        overrideConfigFile: path.join(repoRoot, 'eslint.config.js'),
        overrideConfig: withoutTypes,
      });
      const results = await cycleLint.lintFiles(['a.ts', 'c.ts']);
      const rules = (name: string): Array<string | null> =>
        results.find((r) => path.basename(r.filePath) === name)?.messages.map((m) => m.ruleId) ?? [];
      expect(rules('a.ts')).toContain('import-x/no-cycle');
      // A cycle of type-only imports is erased at runtime, so it is allowed.
      expect(rules('c.ts')).not.toContain('import-x/no-cycle');
    });
  });
});
