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
export { ArtifactStoreConfigError, openArtifactStore } from './openArtifactStore';
export type { ArtifactStoreConfig } from './openArtifactStore';
