/**
 * `npm run build`: what `npm pack` ships (package.json `files`), built from the TypeScript sources.
 *
 * - dist/*.js: the CLI and the public entry points (`sluice/dsl`, `/ir`, `/codegen`, `/api`,
 *   `/components`, `/engine`), bundled by esbuild as ES modules with code splitting, so an entry
 *   and the CLI share one instance of every module (a user's `sluice/dsl` import is the CLI's DSL).
 *   esbuild rather than `tsc` emit: the sources import without file extensions (moduleResolution
 *   "Bundler"), which Node's ESM loader cannot resolve, and one bundle per entry also loads faster
 *   than hundreds of small files. npm packages stay external (installed as dependencies); heavy
 *   ones (TF.js, ONNX Runtime, the Temporal worker) are imported dynamically in the sources.
 * - dist/types: declarations from `tsc` (tsconfig.package.json), one per source file.
 * - dist/workflows/index.js: the workflow code as one module, which Temporal's bundler bundles into
 *   its sandbox (engine/temporal/worker/workflowBundle.ts), and dist/workflow-bundles/<key>.js, that
 *   bundle made here so an installed package starts its workers without webpack.
 * The editor (editor/dist), the migrations and scripts/ensure-temporal.sh ship as they are.
 */
import { execFileSync } from 'node:child_process';
import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { build, type Plugin } from 'esbuild';
import { projectRoot } from '../engine/paths';

const root = projectRoot;
const dist = path.join(root, 'dist');

/** The package's own subpaths, as package.json `exports` names them, → their sources. */
export const ENTRIES = {
  cli: 'engine/cli/main.ts',
  dsl: 'dsl/index.ts',
  ir: 'dsl/ir/index.ts',
  codegen: 'dsl/codegen/index.ts',
  api: 'engine/contract/index.ts',
  components: 'components/index.ts',
  engine: 'engine/index.ts',
} as const;

const SELF: Record<string, string> = {
  'sluice/dsl': ENTRIES.dsl,
  'sluice/ir': ENTRIES.ir,
  'sluice/codegen': ENTRIES.codegen,
  'sluice/api': ENTRIES.api,
  'sluice/components': ENTRIES.components,
  'sluice/engine': ENTRIES.engine,
};

/**
 * `sluice/*` imports inside the sources (components/ uses them) are bundled, not left to resolve at
 * run time. Every other package stays external and is declared free of side effects, so that an
 * import whose bindings the bundle does not use is dropped: a barrel (`../runs/index`) re-exports
 * modules that import @temporalio/client or the worker, and without this each command would load
 * them all (esbuild keeps unused external imports otherwise). No source imports a package or a
 * module of ours for its side effects alone (`import 'x'`); the installed-package test would fail
 * if one did.
 */
const resolveImports: Plugin = {
  name: 'sluice-imports',
  setup(b) {
    b.onResolve({ filter: /^sluice\// }, (args) => {
      const src = SELF[args.path];
      if (!src) return { errors: [{ text: `unknown sluice subpath "${args.path}" (package.json exports)` }] };
      return { path: path.join(root, src) };
    });
    b.onResolve({ filter: /^[^./]/ }, (args) => (args.path.startsWith('node:') ? undefined : { path: args.path, external: true, sideEffects: false }));
    // Our own modules too: a barrel (index.ts) then brings only what is used from it.
    b.onResolve({ filter: /^\.\.?\// }, async (args) => {
      if (args.pluginData === 'resolving') return undefined;
      const found = await b.resolve(args.path, { kind: args.kind, importer: args.importer, resolveDir: args.resolveDir, pluginData: 'resolving' });
      return found.errors.length > 0 ? { errors: found.errors } : { path: found.path, sideEffects: false };
    });
  },
};

async function main(): Promise<void> {
  const started = Date.now();
  // Everything but the declarations, which tsc rebuilds incrementally (its build info lives among them).
  for (const entry of await readdir(dist).catch(() => [])) {
    if (entry !== 'types') await rm(path.join(dist, entry), { recursive: true, force: true });
  }

  await build({
    absWorkingDir: root,
    entryPoints: Object.fromEntries(Object.entries(ENTRIES).map(([k, v]) => [k, path.join(root, v)])),
    outdir: dist,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20.19',
    packages: 'external',
    plugins: [resolveImports],
    chunkNames: 'chunks/[name]-[hash]',
    logLevel: 'warning',
  });

  // Workflows: one module with everything but @temporalio/* inlined, for Temporal's bundler.
  await build({
    absWorkingDir: root,
    entryPoints: { index: path.join(root, 'engine/temporal/workflows/index.ts') },
    outdir: path.join(dist, 'workflows'),
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    external: ['@temporalio/*'],
    logLevel: 'warning',
  });
  if (process.argv.includes('--js-only')) return; // while working on the build: the bundles, not the workflow bundle or declarations
  const { prebuildWorkflowBundle } = await import('../engine/temporal/worker/index');
  const bundleFile = await prebuildWorkflowBundle(path.join(dist, 'workflow-bundles'));

  execFileSync(path.join(root, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.package.json'], { cwd: root, stdio: 'inherit' });
  process.stderr.write(`built dist/ in ${((Date.now() - started) / 1000).toFixed(1)} s (workflow bundle ${path.relative(root, bundleFile)})\n`);
}

await main();
