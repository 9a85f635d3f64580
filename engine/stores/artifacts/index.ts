/** Artifact stores: content-addressed storage for the files components read and write. */
export type { ArtifactStore, StoredArtifact } from './ArtifactStore';
export {
  ArtifactNotFoundError,
  DEFAULT_ARTIFACT_ROOT,
  InvalidArtifactUriError,
  LocalArtifactStore,
  MANIFEST_HEADER,
  manifestText,
} from './LocalArtifactStore';
export type { LocalArtifactStoreOptions } from './LocalArtifactStore';
export { ArtifactCorruptedError, ArtifactStoreAccessError, ArtifactStoreUnavailableError } from './errors';
export { parseS3Root, S3ArtifactStore } from './S3ArtifactStore';
export type { S3ArtifactStoreOptions, S3Credentials } from './S3ArtifactStore';
export { ArtifactStoreConfigError, openArtifactStore, s3OptionsFromEnv } from './openArtifactStore';
export type { ArtifactStoreConfig } from './openArtifactStore';
