/** How read commands of the CLI open the metadata store: DATABASE_URL, or the state directory's PGlite. */
import path from 'node:path';
import type { MetadataStore } from '../stores/metadata/index';
import { openMetadataStore } from '../stores/metadata/index';
import { stateDir } from '../paths';
import { lockStateDir } from '../stack/index';
import { servedApi, type ReadStore } from './apiReader';

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

/**
 * For read commands: the API of a running `sluice dev` (or SLUICE_URL), else the store itself.
 * The embedded PGlite can only be open in one process, so while `sluice dev` runs, reads go
 * through its API.
 */
export async function withReader<T>(fn: (m: ReadStore) => Promise<T>): Promise<T> {
  const api = await servedApi();
  return api ? fn(api) : withMetadata((m) => fn(m));
}
