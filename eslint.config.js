// @ts-check
/**
 * Lint configuration for Sluice.
 *
 * Two jobs:
 *  1. "Stricter than strict" (STYLE.md habit 9): typescript-eslint's type-checked rules, with
 *     floating promises, `any`, non-exhaustive switches, value-imports of types and import cycles
 *     as errors.
 *  2. Runtime boundaries (STYLE.md habits 1 and 5, DESIGN.md "Layout"): code is sorted by *where it
 *     runs*. `dsl/` runs in the browser (the editor) and inside Temporal's workflow sandbox;
 *     `engine/temporal/workflows/` runs inside that sandbox and must be deterministic. Forbidden imports are
 *     refused here with a message that names the rule, says why and says what to do instead, the way
 *     Temporal's workflow bundler does. `test/boundaries.test.ts` proves the same boundaries again
 *     by following imports transitively, and tests these rules themselves.
 */
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import tseslint from 'typescript-eslint';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';
import { moduleEntryRule } from './scripts/lint/moduleBoundaries.js';

// ---------------------------------------------------------------------------------------------
// Module groups shared by the boundary rules.
// ---------------------------------------------------------------------------------------------

/** Every Node built-in, bare (`fs`, `fs/promises`) or with the `node:` scheme. */
const nodeBuiltinNames = [...new Set(builtinModules.filter((m) => !m.startsWith('_')).map((m) => m.split('/')[0]))];
const NODE_BUILTIN = `^(?:node:|(?:${nodeBuiltinNames.join('|')})(?:/|$))`;

/** Databases and servers: the metadata store and the HTTP API live in engine/, nowhere else. */
const DB_AND_SERVER = '^(?:pg|pg-[\\w-]+|@electric-sql/pglite|drizzle-orm|drizzle-kit|express)(?:/|$)';

/** Native ML runtimes: they belong to component implementations and workers. */
const ML_RUNTIMES = '^(?:@tensorflow/|onnxruntime-)';

/**
 * Temporal packages that must never reach the workflow sandbox: all but `@temporalio/workflow` and
 * the root of `@temporalio/common` (its `lib/` holds `internal-non-workflow`, which the bundler
 * refuses). test/boundaries.test.ts checks this covers the bundler's own `disallowedModules`.
 */
const TEMPORAL_NON_WORKFLOW = '^@temporalio/(?!workflow(?:/|$)|common$)';

/** Relative paths into our own folders (from any depth): `../engine/x`, `../../components`, … */
const ourFolder = (/** @type {string[]} */ names) => `^(?:\\.\\./)+(?:${names.join('|')})(?:/|$)`;

// ---------------------------------------------------------------------------------------------
// Boundary rules. One `no-restricted-imports` config per folder (flat config replaces rule
// options rather than merging them, so each folder's list is complete in itself).
// Test files are exempt: they run under vitest in Node and are never bundled for the browser or
// the workflow sandbox (and test/boundaries.test.ts skips them for the same reason).
// ---------------------------------------------------------------------------------------------

const TEST_FILES = ['**/*.test.ts', '**/*.test.tsx', '**/*.test-d.ts', '**/*.contract.ts'];

const dslRestrictions = [
  {
    regex: NODE_BUILTIN,
    message:
      'dsl/ may not import Node built-ins: the DSL runs in the browser (the editor) and inside the Temporal workflow sandbox, where Node APIs do not exist. Move the I/O into engine/ (or a component) and pass plain values in; for hashing use @noble/hashes, as dsl/ir/digest.ts does.',
  },
  {
    regex: DB_AND_SERVER,
    message:
      'dsl/ may not import databases or servers (pg, PGlite, drizzle, express): the DSL is pure and runs in the browser and the workflow sandbox. Put storage code in engine/stores/metadata/ and server code in engine/; dsl/ only describes pipelines.',
  },
  {
    regex: '^@temporalio/',
    message:
      'dsl/ may not import @temporalio/*: the DSL is independent of the orchestrator so that the editor can use it in the browser. Temporal code belongs in engine/ (workflows in engine/temporal/workflows/, activities in engine/temporal/activities/).',
  },
  {
    regex: ML_RUNTIMES,
    message:
      'dsl/ may not import ML runtimes (@tensorflow/*, onnxruntime-*): they are native or heavy and have no place in the editor or the workflow sandbox. Use them in components/ (implementations) or workers/ (runtime detection).',
  },
  {
    regex: ourFolder(['engine', 'components', 'workers', 'editor', 'examples', 'bench', 'scripts', 'test']),
    message:
      'dsl/ may not import other Sluice folders: everything else depends on dsl/, never the other way round (DESIGN.md "Layout"), and dsl/ must stay browser- and sandbox-safe. Move the shared piece into dsl/ if it is pure, or invert the dependency (pass it in).',
  },
  {
    regex: '^sluice/',
    message:
      "dsl/ may not import the package by name ('sluice/…'): inside dsl/ use relative paths, and never reach engine/ or components/.",
  },
];

const workflowRestrictions = [
  {
    regex: NODE_BUILTIN,
    message:
      "engine/temporal/workflows/ may not import Node built-ins: workflow code runs in Temporal's deterministic sandbox, which replays history and has no fs, network, clocks or crypto. Do the I/O in an activity (engine/temporal/activities/) and call it with proxyActivities().",
  },
  {
    regex: DB_AND_SERVER,
    message:
      'engine/temporal/workflows/ may not import databases or servers (pg, PGlite, drizzle, express): workflow code must be deterministic and replay-safe. Read and write the metadata store from an activity (engine/temporal/activities/) and call it with proxyActivities().',
  },
  {
    regex: TEMPORAL_NON_WORKFLOW,
    message:
      "engine/temporal/workflows/ may import only @temporalio/workflow and @temporalio/common (its root): @temporalio/activity, /worker, /client, /testing and common's non-workflow internals use Node APIs, and Temporal's workflow bundler refuses them. Activities go in engine/temporal/activities/, clients in engine/runs/, workers in engine/temporal/worker/.",
  },
  {
    regex: ML_RUNTIMES,
    message:
      'engine/temporal/workflows/ may not import ML runtimes: models run inside activities on CPU/GPU workers, never in the workflow sandbox. Call the component through the executeTask activity.',
  },
  {
    // Leaving engine/temporal/workflows/ is allowed only into the pure IR (dsl/ir/) and dsl/errors.ts
    // (dsl/errors.ts imports only dsl/ir/validate, which is pure).
    regex: '^\\.\\./(?!\\.\\./\\.\\./dsl/(?:ir(?:/|$)|errors$))',
    message:
      'engine/temporal/workflows/ may import only files within engine/temporal/workflows/, the pure IR (../../../dsl/ir/*) and ../../../dsl/errors: anything else (the metadata store, the artifact store, activities, components, workers) drags I/O into the deterministic workflow sandbox. Share types through engine/temporal/workflows/types.ts, and do the work in an activity.',
  },
  {
    regex: '^sluice/',
    message:
      "engine/temporal/workflows/ may not import the package by name ('sluice/…'): that pulls in whole folders. Import the pure IR relatively (../../../dsl/ir/*).",
  },
  {
    // Any other third-party package. Bare specifiers only; the groups above give better messages
    // for the known offenders, so they are excluded here to report each import once.
    regex: `^(?![./])(?!node:)(?!@temporalio/)(?!(?:${nodeBuiltinNames.join('|')})(?:/|$))(?!(?:pg|pg-[\\w-]+|@electric-sql/pglite|drizzle-orm|drizzle-kit|express)(?:/|$))(?!@tensorflow/|onnxruntime-)(?!sluice/)`,
    message:
      'engine/temporal/workflows/ may import only @temporalio/workflow, @temporalio/common and the pure IR: every other package is bundled into the deterministic workflow sandbox. If the package is pure and deterministic (no I/O, clocks or randomness), allow it in eslint.config.js and test/boundaries.test.ts with a note; otherwise use it from an activity.',
  },
];

const contractRestrictions = [
  {
    regex: NODE_BUILTIN,
    message:
      'engine/contract/ may not import Node built-ins: the API contract (sluice/api) is bundled into the editor and runs in the browser as well as in the CLI and the server. Keep it to zod schemas, types and the fetch-based client; Node code belongs in engine/server/ or engine/cli/.',
  },
  {
    regex: `${DB_AND_SERVER}|^@temporalio/|${ML_RUNTIMES}`,
    message:
      'engine/contract/ may not import databases, servers, Temporal or ML runtimes: it describes the HTTP API (schemas, routes, a client) and is bundled into the browser. The server side of a route (express, the stores, Temporal) lives in engine/server/.',
  },
  {
    // Leaving engine/contract/ is allowed only into the pure IR (dsl/ir/).
    regex: '^\\.\\./(?!\\.\\./dsl/ir(?:/|$))',
    message:
      "engine/contract/ may import only files within engine/contract/ and the pure IR (../../dsl/ir/*): it is the browser-safe description of the API that the server, the CLI and the editor share, so it depends on nothing of theirs. Move what the server needs to describe into the contract, and keep the implementation in engine/server/.",
  },
  {
    regex: '^sluice/',
    message: "engine/contract/ may not import the package by name ('sluice/…'): import the pure IR relatively (../../dsl/ir/*).",
  },
  {
    // Any other third-party package: the contract is zod schemas and a fetch client, nothing else.
    regex: `^(?![./])(?!zod(?:/|$))(?!node:)(?!(?:${nodeBuiltinNames.join('|')})(?:/|$))(?!(?:pg|pg-[\\w-]+|@electric-sql/pglite|drizzle-orm|drizzle-kit|express)(?:/|$))(?!@temporalio/)(?!@tensorflow/|onnxruntime-)(?!sluice/)`,
    message:
      'engine/contract/ may import only zod (and the pure IR): every package it uses is bundled into the editor and loaded by the CLI. Describe with zod; leave server and client libraries to engine/server/ and the callers.',
  },
];

/** Every HTTP call of the editor and the CLI goes through the contract's typed client. */
const noRawHttp = (/** @type {string} */ where) => [
  'error',
  {
    name: 'fetch',
    message: `${where} may not call fetch() itself: call the API through the typed client of its contract (sluice/api: createApiClient, one method per route), so every request and answer is typed and checked by the schemas the server uses. Downloads and event streams: client.url(operation, request).`,
  },
  {
    name: 'EventSource',
    message: `${where} may not open an EventSource itself: use subscribe() in editor/src/api/client.ts, which checks each event against the contract's stream schemas.`,
  },
];

const editorRestrictions = [
  {
    regex: NODE_BUILTIN,
    message:
      'editor/src may not import Node built-ins: it runs in the browser. Ask the engine over HTTP (editor/src/api/client.ts) for anything that needs the machine.',
  },
  {
    regex: ourFolder(['engine', 'components', 'workers', 'examples', 'bench', 'scripts', 'test']),
    message:
      'editor/src talks to the engine only over HTTP and uses only the DSL and the API contract (DESIGN.md "Layout"): import sluice/dsl (authoring), sluice/ir (IR types, validator, port rules), sluice/codegen and sluice/api (the wire types and the typed client; editor/src/api/client.ts holds the instance).',
  },
  {
    regex: '^sluice/(?!dsl$|ir$|codegen$|api$)',
    message:
      "editor/src may import only sluice/dsl, sluice/ir, sluice/codegen and sluice/api from the package: 'sluice/engine' and 'sluice/components' run in Node (servers, stores, ML runtimes) and cannot be bundled for the browser.",
  },
  {
    regex: `${DB_AND_SERVER}|${ML_RUNTIMES}|^@temporalio/`,
    message: 'editor/src runs in the browser: databases, servers, Temporal and ML runtimes belong to the engine and the workers.',
  },
];

const componentRestrictions = [
  {
    regex: ourFolder(['engine', 'workers', 'editor']),
    message:
      'components/ may not import engine/, workers/ or editor/: a component sees only what its ComponentContext gives it (input paths, output paths, parameters, a logger), so it runs the same under any executor. Depend on sluice/dsl; if you need something from the engine, add it to the ComponentContext.',
  },
  {
    regex: '^sluice/(?:engine|workers)(?:/|$)',
    message:
      'components/ may not import sluice/engine or workers: components depend only on sluice/dsl and sluice/ir (+ ML libraries). Add what you need to the ComponentContext instead.',
  },
  {
    regex: ourFolder(['dsl']),
    message:
      "components/ import the DSL through its public entry point: use 'sluice/dsl', not relative paths into dsl/ (internals are not imported from outside their folder, STYLE.md habit 5).",
  },
];

/**
 * Errors carry a code (`e.code`, an error class): no code path recognises an error by its message
 * text, which is written for people and changes with them (and with the library that wrote it).
 */
const noMessageMatching = [
  {
    selector: "CallExpression[callee.property.name=/^(?:test|exec)$/] > MemberExpression.arguments[property.name='message']",
    message:
      "Do not recognise an error by its message text (`/…/.test(e.message)`): messages are for people and change. Test its code (`e.code`, a CodedError's code, an ApiError's code) or its class (`instanceof`); give the error a code where it has none.",
  },
  {
    selector: "CallExpression[callee.object.property.name='message'][callee.property.name=/^(?:match|matchAll|includes|startsWith|endsWith|search|indexOf)$/]",
    message:
      "Do not recognise an error by its message text (`e.message.includes(…)`): messages are for people and change. Test its code (`e.code`, a CodedError's code, an ApiError's code) or its class (`instanceof`); give the error a code where it has none.",
  },
];

/**
 * `import()` and `require()` slip past `no-restricted-imports`, so code inside a boundary may not
 * use them (these folders' `no-restricted-syntax` also carries `noMessageMatching`: flat config
 * replaces a rule's options, it does not merge them).
 * @returns {import('eslint').Linter.RuleEntry}
 */
const noHiddenImports = (/** @type {string} */ where) => [
  'error',
  {
    selector: 'ImportExpression',
    message: `${where} may not use dynamic import(): it hides the dependency from the boundary rules and from the bundler that builds the browser and workflow bundles. Use a static import (type-only if you need only types).`,
  },
  {
    selector: "CallExpression[callee.name='require']",
    message: `${where} may not use require(): it hides the dependency from the boundary rules and does not exist in the browser or the workflow sandbox. Use a static ESM import.`,
  },
  ...noMessageMatching,
];

// ---------------------------------------------------------------------------------------------

export default defineConfig(
  globalIgnores([
    'node_modules/',
    '.tools/',
    '.sluice/',
    'dist/',
    'editor/dist/',
    'coverage/',
    'engine/stores/metadata/migrations/',
    // Deliberate DSL mistakes, type-checked by test/types/corpus.test.ts (outside every tsconfig).
    'test/types/corpus/cases/',
    // JS: only our own config and the CLI shim are linted (without type information, below).
    '**/*.js',
    '**/*.cjs',
    '**/*.mjs',
    '!eslint.config.js',
    '!bin/*.js',
    '!scripts/lint/*.js',
  ]),

  // --- TypeScript: type-checked rules ----------------------------------------------------------
  {
    files: ['**/*.ts', '**/*.tsx'],
    extends: [js.configs.recommended, tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
      },
    },
    plugins: { 'import-x': importX },
    settings: {
      // Without these, import-x reads only .js files when it follows imports, and no-cycle would
      // silently see no graph at all (test/boundaries.test.ts proves it now sees one).
      'import-x/extensions': ['.ts', '.tsx', '.js', '.mjs', '.cjs'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts', '.tsx'] },
      'import-x/external-module-folders': ['node_modules', 'node_modules/@types'],
      // import-x's own resolver (unrs-resolver) taught TypeScript's extensionless relative imports
      // and the package's self-reference exports (`sluice/dsl` -> ./dsl/index.ts). No extra
      // resolver package needed.
      'import-x/resolver-next': [
        createNodeResolver({
          extensions: ['.ts', '.tsx', '.d.ts', '.js', '.mjs', '.cjs', '.json', '.node'],
          conditionNames: ['types', 'import', 'require', 'default'],
        }),
      ],
    },
    rules: {
      // Unhandled promises lose errors, and in workflow code they break determinism. `void p`
      // marks the rare intentional fire-and-forget.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      // Type-only imports are erased, so they never drag a module (or its side effects) into the
      // browser bundle or the workflow sandbox. Inline style (`import { x, type T }`) is the house
      // style.
      '@typescript-eslint/consistent-type-imports': [
        'error',
        // `typeof import('x')` in a type position is erased too, and it is vitest's idiom for
        // `importOriginal<typeof import('node:fs/promises')>()`.
        { prefer: 'type-imports', fixStyle: 'inline-type-imports', disallowTypeAnnotations: false },
      ],
      '@typescript-eslint/no-import-type-side-effects': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      // Exhaustive switches over IR kinds (binding kinds, port kinds, impl kinds): adding a kind
      // must be a compile-time to-do list. A `default` branch does not silence it for unions.
      '@typescript-eslint/switch-exhaustiveness-check': [
        'error',
        { considerDefaultExhaustiveForUnions: false, requireDefaultForNonUnion: false },
      ],
      'import-x/no-cycle': ['error', { ignoreExternal: true }],

      // --- Tuned rules (noisy as configured by default; justified one by one) ---
      // Numbers, booleans and regexps print fine in messages (`${count} tasks`, `${/re/}`).
      // Nullish is allowed too: with `noUncheckedIndexedAccess` every `record[key]` is
      // `T | undefined` even where the key is known to exist, and wrapping each one in `String()`
      // would be noise that catches nothing. Objects, arrays and `any` stay errors: they print as
      // "[object Object]" or worse.
      '@typescript-eslint/restrict-template-expressions': [
        'error',
        { allowNumber: true, allowBoolean: true, allowNullish: true, allowRegExp: true, allowAny: false },
      ],
      // `async` on a function without `await` is deliberate here: it implements a Promise-returning
      // contract (a store interface, a TF.js save handler) and turns synchronous throws into
      // rejections. Removing `async` to please the rule would change how errors surface.
      '@typescript-eslint/require-await': 'off',
      // `_`-prefixed names are the convention for "deliberately unused" (callbacks, destructuring
      // to omit a key).
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
    },
  },

  // --- Errors are recognised by their code ------------------------------------------------------
  {
    files: ['engine/**/*.ts', 'workers/**/*.ts', 'components/**/*.ts', 'dsl/**/*.ts', 'editor/src/**/*.ts', 'editor/src/**/*.tsx'],
    ignores: TEST_FILES,
    rules: { 'no-restricted-syntax': ['error', ...noMessageMatching] },
  },

  // --- Runtime boundaries ----------------------------------------------------------------------
  {
    files: ['dsl/**/*.ts'],
    ignores: TEST_FILES,
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', { patterns: dslRestrictions }],
      'no-restricted-syntax': noHiddenImports('dsl/'),
    },
  },
  {
    files: ['engine/temporal/workflows/**/*.ts'],
    ignores: TEST_FILES,
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', { patterns: workflowRestrictions }],
      'no-restricted-syntax': noHiddenImports('engine/temporal/workflows/'),
    },
  },
  {
    files: ['engine/contract/**/*.ts'],
    ignores: TEST_FILES,
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', { patterns: contractRestrictions }],
      'no-restricted-syntax': noHiddenImports('engine/contract/'),
    },
  },
  {
    files: ['editor/src/**/*.ts', 'editor/src/**/*.tsx'],
    ignores: TEST_FILES,
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', { patterns: editorRestrictions }],
      'no-restricted-globals': noRawHttp('editor/src'),
    },
  },
  {
    // The one place that opens event streams (and checks their events against the contract).
    files: ['editor/src/api/client.ts'],
    rules: { 'no-restricted-globals': 'off' },
  },
  {
    // engine/cli/sse.ts opens event streams (at the contract client's url(); api.ts checks each
    // event against the contract): the one fetch of the CLI, as editor/src/api/client.ts is the editor's.
    files: ['engine/cli/**/*.ts'],
    ignores: [...TEST_FILES, 'engine/cli/sse.ts'],
    rules: { 'no-restricted-globals': noRawHttp('engine/cli') },
  },
  {
    // Modules (engine/ by process role, workers/) are entered through their index.ts only.
    // (engine/temporal/workflows/ and components/ have stricter folder rules of their own above.)
    files: ['engine/**/*.ts', 'workers/**/*.ts'],
    ignores: [...TEST_FILES, 'engine/temporal/workflows/**'],
    plugins: { sluice: { rules: { 'module-entry': moduleEntryRule } } },
    rules: { 'sluice/module-entry': ['error', { root: import.meta.dirname }] },
  },
  {
    files: ['components/**/*.ts'],
    ignores: TEST_FILES,
    rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns: componentRestrictions }] },
  },

  // --- JavaScript: this file and the CLI shim, without type information ------------------------
  {
    files: ['eslint.config.js', 'bin/*.js', 'scripts/lint/*.js'],
    extends: [js.configs.recommended, tseslint.configs.disableTypeChecked],
    languageOptions: { sourceType: 'module', ecmaVersion: 'latest' },
  },
);
