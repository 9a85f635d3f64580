/** How commands that work in this process open the metadata store: DATABASE_URL, or the state directory's PGlite. */
import path from 'node:path';
import type { MetadataStore } from '../stores/metadata/index';
import { openMetadataStore } from '../stores/metadata/index';
import { stateDir } from '../paths';
import { lockStateDir } from '../stack/index';
import { apiReader, storeReader, type RunReader } from './reader';
import { onTarget } from './target';

export interface MetadataAccess {
  /**
   * True for the embedded PGlite database: this process then owns the state directory, so no
   * other process can be running a run against it meanwhile.
   */
  embedded: boolean;
}

/** Opens the metadata store for the length of `fn` (taking the state directory's lock for PGlite). */
export async function withMetadata<T>(fn: (m: MetadataStore, access: MetadataAccess) => Promise<T>): Promise<T> {
  const dir = stateDir();
  const url = process.env.DATABASE_URL;
  const unlock = url ? undefined : await lockStateDir(dir, 'sluice CLI');
  try {
    const metadata = await openMetadataStore(url ? { databaseUrl: url } : { dataDir: path.join(dir, 'db') });
    try {
      return await fn(metadata, { embedded: !url });
    } finally {
      await metadata.close();
    }
  } finally {
    await unlock?.();
  }
}

/** For read commands: the server's API when one is reachable (target.ts), else the store itself. */
export async function withReader<T>(fn: (m: RunReader) => Promise<T>): Promise<T> {
  return onTarget({ api: (api) => fn(apiReader(api)), local: () => withMetadata((m) => fn(storeReader(m))) });
}
