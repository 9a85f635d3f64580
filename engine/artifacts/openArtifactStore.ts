/**
 * Opens the artifact store a deployment is configured for. Callers pass the setting (e.g. the
 * `ARTIFACT_STORE` environment variable); this function does not read the environment itself.
 */
import { fileURLToPath } from 'node:url';
import { NonRetryableError } from '../../dsl';
import type { ArtifactStore } from './ArtifactStore';
import { LocalArtifactStore } from './LocalArtifactStore';

export interface ArtifactStoreConfig {
  /**
   * Where artifacts live: a local directory path or `file://` URL (default `.sluice/artifacts`).
   * `s3://bucket/prefix` is reserved for the S3-compatible store, which is not implemented yet.
   */
  root?: string;
}

/** The artifact store setting names a kind of store this build cannot open. */
export class ArtifactStoreConfigError extends NonRetryableError {
  override readonly name: string = 'ArtifactStoreConfigError';
}

/** Async because remote stores will need I/O to open (credentials, bucket checks). */
export async function openArtifactStore(config: ArtifactStoreConfig = {}): Promise<ArtifactStore> {
  const root = config.root?.trim() || undefined;
  if (root === undefined) return new LocalArtifactStore();
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(root)?.[1]?.toLowerCase();
  if (scheme === undefined) return new LocalArtifactStore({ root });
  if (scheme === 'file') return new LocalArtifactStore({ root: fileURLToPath(root) });
  if (scheme === 's3') {
    throw new ArtifactStoreConfigError(
      `artifact store "${root}": the S3-compatible artifact store is not implemented yet; ` +
        'use a local directory (a path or file:// URL, default .sluice/artifacts) for now',
    );
  }
  throw new ArtifactStoreConfigError(
    `artifact store "${root}": unknown scheme "${scheme}://"; use a local directory path or a file:// URL`,
  );
}
