/**
 * Bundles the workflow code once and caches it on disk, keyed by the content of every source file
 * the bundle can reach and the SDK version: webpack takes ~10 s on 2 cores, which every
 * `sluice run` and every test file would otherwise pay.
 */
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { projectRoot, stateDir } from '../../paths';

const WORKFLOWS_PATH = path.join(projectRoot, 'engine', 'temporal', 'workflows', 'index.ts');
/** Folders whose files the workflow bundle may include. */
const SOURCE_DIRS = [path.join(projectRoot, 'engine', 'temporal', 'workflows'), path.join(projectRoot, 'dsl')];

async function sourceFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.test.ts'))
    .map((e) => path.join(e.parentPath, e.name))
    .sort();
}

async function bundleKey(): Promise<string> {
  const h = createHash('sha256');
  for (const dir of SOURCE_DIRS) {
    for (const file of await sourceFiles(dir)) {
      h.update(path.relative(projectRoot, file));
      h.update(await readFile(file));
    }
  }
  const sdk = JSON.parse(await readFile(path.join(projectRoot, 'node_modules', '@temporalio', 'workflow', 'package.json'), 'utf8')) as { version: string };
  h.update(sdk.version);
  return h.digest('hex').slice(0, 24);
}

export async function workflowBundle(): Promise<{ code: string }> {
  const dir = path.join(process.env.SLUICE_CACHE_DIR ?? path.join(stateDir(), 'cache'), 'workflow-bundles');
  const file = path.join(dir, `${await bundleKey()}.js`);
  try {
    return { code: await readFile(file, 'utf8') };
  } catch {
    // not cached yet
  }
  const { code } = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: quietLogger });
  await mkdir(dir, { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, code);
  await rename(tmp, file);
  return { code };
}

const noop = (): void => undefined;
const quietLogger = { trace: noop, debug: noop, info: noop, warn: noop, error: noop, log: noop };
