/** Where the project and its local state live. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The Sluice checkout / package root (two levels above this file). */
export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Local state (Temporal db, PGlite data, artifacts): `$SLUICE_HOME` or `.sluice/` in the working directory. */
export function stateDir(): string {
  return path.resolve(process.env.SLUICE_HOME ?? path.join(process.cwd(), '.sluice'));
}
