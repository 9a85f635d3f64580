/**
 * One process at a time owns a state directory: PGlite and the Temporal dev server's SQLite file
 * would be corrupted by two writers. The lock file names the owner so the error can say who.
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

export class StateDirBusyError extends Error {
  override readonly name = 'StateDirBusyError';
  readonly code = 'state-dir-busy';
  /** The owner may end: the same command can succeed then. */
  readonly retryable = true;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface StateOwner {
  pid: number;
  purpose: string;
  since: string;
  /** Set by a running embedded stack, so other CLI processes can reach its Temporal server. */
  temporalAddress?: string;
  taskQueuePrefix?: string;
  /** Set by `sluice dev`: read commands go through this API while it holds the state directory. */
  apiUrl?: string;
}

/** The live process that owns `dir`, if any. */
export async function readStateOwner(dir: string): Promise<StateOwner | undefined> {
  try {
    const owner = JSON.parse(await readFile(path.join(dir, 'owner.lock'), 'utf8')) as StateOwner;
    return owner.pid !== process.pid && alive(owner.pid) ? owner : undefined;
  } catch {
    return undefined;
  }
}

/** Adds fields to this process's lock file (e.g. the Temporal address once the server is up). */
export async function annotateStateOwner(dir: string, fields: Partial<StateOwner>): Promise<void> {
  const file = path.join(dir, 'owner.lock');
  const owner = JSON.parse(await readFile(file, 'utf8')) as StateOwner;
  if (owner.pid !== process.pid) return;
  await writeFile(file, JSON.stringify({ ...owner, ...fields }));
}

export async function lockStateDir(dir: string, purpose: string): Promise<() => Promise<void>> {
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, 'owner.lock');
  try {
    const owner = JSON.parse(await readFile(file, 'utf8')) as { pid: number; purpose: string; since: string };
    if (owner.pid !== process.pid && alive(owner.pid)) {
      throw new StateDirBusyError(
        `${dir} is in use by another Sluice process (pid ${owner.pid}, ${owner.purpose}, since ${owner.since}). ` +
          'Wait for it to finish or stop it, or use another state directory with SLUICE_HOME=<dir>.',
      );
    }
  } catch (e) {
    if (e instanceof StateDirBusyError) throw e;
    // no lock file, or a stale/unreadable one: take over
  }
  await writeFile(file, JSON.stringify({ pid: process.pid, purpose, since: new Date().toISOString() }));
  return async () => {
    await rm(file, { force: true });
  };
}
