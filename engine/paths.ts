/** Where the project and its local state live. */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(import.meta.url);

/**
 * True when this code runs from the built package (dist/*.js, `npm run build`), false when it runs
 * from the TypeScript sources of a checkout (through tsx or vitest).
 */
export const packaged = !here.endsWith('.ts');

/**
 * The Sluice checkout or installed package root: the nearest folder above this file with Sluice's
 * package.json (the built code lives at varying depths under dist/).
 */
export const projectRoot = findPackageRoot(path.dirname(here));

function findPackageRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'sluice') return dir;
    if (path.dirname(dir) === dir) return path.resolve(path.dirname(here), '..');
  }
}

/** Sluice's version (package.json). */
export function sluiceVersion(): string {
  return (JSON.parse(readFileSync(path.join(projectRoot, 'package.json'), 'utf8')) as { version: string }).version;
}

/** Local state (Temporal db, PGlite data, artifacts): `$SLUICE_HOME` or `.sluice/` in the working directory. */
export function stateDir(): string {
  return path.resolve(process.env.SLUICE_HOME ?? path.join(process.cwd(), '.sluice'));
}
