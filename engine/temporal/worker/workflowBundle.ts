/**
 * Bundles the workflow code once and caches it on disk, keyed by the content of every source file
 * the bundle can reach and the SDK version: webpack takes ~10 s on 2 cores, which every
 * `sluice run` and every test file would otherwise pay.
 *
 * From a checkout the sources are engine/temporal/workflows and dsl/. The installed package has
 * them as one module, dist/workflows/index.js (scripts/buildPackage.ts), and the bundle made from
 * it at build time in dist/workflow-bundles/, used when the installed SDK is the one it was made
 * with (else bundled once into the cache, as from a checkout).
 */
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { packaged, projectRoot, stateDir } from '../../paths';

const SOURCE_ENTRY = path.join(projectRoot, 'engine', 'temporal', 'workflows', 'index.ts');
/** Folders whose files the workflow bundle may include (from a checkout). */
const SOURCE_DIRS = [path.join(projectRoot, 'engine', 'temporal', 'workflows'), path.join(projectRoot, 'dsl')];
/** The built workflow module and the bundles made from it at build time (installed package). */
const PACKAGED_ENTRY = path.join(projectRoot, 'dist', 'workflows', 'index.js');
const PREBUILT_DIR = path.join(projectRoot, 'dist', 'workflow-bundles');

async function sourceFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.test.ts'))
    .map((e) => path.join(e.parentPath, e.name))
    .sort();
}

async function sdkVersion(): Promise<string> {
  // Resolved as Node resolves it from here: hoisted into the user's node_modules when installed.
  const manifest = createRequire(import.meta.url).resolve('@temporalio/workflow/package.json');
  return (JSON.parse(await readFile(manifest, 'utf8')) as { version: string }).version;
}

async function bundleKey(fromPackage: boolean): Promise<string> {
  const h = createHash('sha256');
  if (fromPackage) {
    h.update(await readFile(PACKAGED_ENTRY));
  } else {
    for (const dir of SOURCE_DIRS) {
      for (const file of await sourceFiles(dir)) {
        h.update(path.relative(projectRoot, file));
        h.update(await readFile(file));
      }
    }
  }
  h.update(await sdkVersion());
  return h.digest('hex').slice(0, 24);
}

async function makeBundle(entry: string): Promise<string> {
  // Loaded here, not at start-up: webpack and the worker's native module are heavy.
  const { bundleWorkflowCode } = await import('@temporalio/worker');
  const { code } = await bundleWorkflowCode({ workflowsPath: entry, logger: quietLogger });
  return code;
}

async function writeAtomically(file: string, code: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, code);
  await rename(tmp, file);
}

export async function workflowBundle(): Promise<{ code: string }> {
  const key = await bundleKey(packaged);
  const candidates = [
    ...(packaged ? [path.join(PREBUILT_DIR, `${key}.js`)] : []),
    path.join(process.env.SLUICE_CACHE_DIR ?? path.join(stateDir(), 'cache'), 'workflow-bundles', `${key}.js`),
  ];
  for (const file of candidates) {
    try {
      return { code: await readFile(file, 'utf8') };
    } catch {
      // not there
    }
  }
  const code = await makeBundle(packaged ? PACKAGED_ENTRY : SOURCE_ENTRY);
  await writeAtomically(candidates[candidates.length - 1] as string, code);
  return { code };
}

/** `npm run build`: bundles dist/workflows/index.js into `dir` under the key an installed package looks up. */
export async function prebuildWorkflowBundle(dir: string): Promise<string> {
  const file = path.join(dir, `${await bundleKey(true)}.js`);
  await writeAtomically(file, await makeBundle(PACKAGED_ENTRY));
  return file;
}

const noop = (): void => undefined;
const quietLogger = { trace: noop, debug: noop, info: noop, warn: noop, error: noop, log: noop };
