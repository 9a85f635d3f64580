/**
 * Where a command acts — the CLI's one rule, decided here and nowhere else:
 *
 * - a Sluice server is reachable — SLUICE_URL (token from SLUICE_TOKEN), or the `sluice dev` that
 *   owns the state directory (its API URL is in the lock file) → every command goes through that
 *   server's HTTP API;
 * - otherwise the command works in this process: it opens the metadata store (PGlite in the state
 *   directory, or PostgreSQL with DATABASE_URL) or starts the embedded stack, as each command needs.
 *
 * DATABASE_URL does not change the rule: with a server up, its API is the one way in, so a command
 * never competes with the server for the state directory or sees a different database.
 */
import { stateDir } from '../paths';
import { readStateOwner } from '../stack/stateLock'; // not ../stack/index: see scripts/lint/moduleBoundaries.js EXTRA_ENTRIES
import { ServedApi } from './api';

/** The server's API, when one is reachable. */
export async function servedApi(): Promise<ServedApi | undefined> {
  if (process.env.SLUICE_URL) return new ServedApi(process.env.SLUICE_URL, process.env.SLUICE_TOKEN, 'SLUICE_URL');
  const owner = await readStateOwner(stateDir());
  if (!owner?.apiUrl) return undefined;
  return new ServedApi(owner.apiUrl, process.env.SLUICE_TOKEN, `the \`sluice dev\` process ${owner.pid}`);
}

/** Runs the command's API handler when a server is reachable, else its local one. */
export async function onTarget<T>(handlers: { api: (api: ServedApi) => Promise<T>; local: () => Promise<T> }): Promise<T> {
  const api = await servedApi();
  return api ? handlers.api(api) : handlers.local();
}
