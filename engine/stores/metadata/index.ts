/** The metadata store: what ran, with what, producing what. PGlite or PostgreSQL through drizzle. */
export type * from './MetadataStore';
export { createDrizzleMetadataStore, METADATA_MIGRATIONS_FOLDER } from './DrizzleMetadataStore';
export type { DrizzleMetadataStore, DrizzleMetadataStoreOptions, MetadataDatabase } from './DrizzleMetadataStore';
export {
  DEFAULT_DATA_DIR,
  IN_MEMORY_DATA_DIR,
  createPgliteMetadataStore,
  createPostgresMetadataStore,
  openMetadataStore,
} from './openMetadataStore';
export type { OpenMetadataStoreOptions } from './openMetadataStore';
export { MetadataStoreError } from './errors';
export type { MetadataStoreErrorCode } from './errors';
export * from './tracking/index';
export { resolveVersionRef } from './pipelines/versionRef';
export type { VersionRefResult } from './pipelines/versionRef';
