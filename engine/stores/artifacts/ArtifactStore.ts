/**
 * The artifact store: content-addressed blobs (sha256). Components read inputs and write outputs
 * as local paths; the store moves content in and out. Local directory now, S3-compatible later,
 * both held to one contract test suite.
 */
export interface StoredArtifact {
  /** Where the content lives, e.g. `file:///…/sha256/ab/abcd…` or `s3://bucket/sha256/…`. */
  uri: string;
  /** Hex sha256 of the content (for a directory: of its manifest of relative paths and file digests). */
  sha256: string;
  /** Bytes (a directory: the sum of its files). */
  size: number;
  /** True when the artifact is a directory of files rather than one file. */
  directory: boolean;
}

export interface ArtifactStore {
  /** Human description for logs, e.g. "local directory /x/.sluice/artifacts". */
  readonly description: string;
  /** Copies a local file or directory into the store. Storing the same content twice is a no-op. */
  put(localPath: string): Promise<StoredArtifact>;
  /**
   * Returns a local path holding the artifact's content (a cache path for remote stores; the
   * stored file itself for the local store). Callers must treat it as read-only.
   */
  materialize(uri: string): Promise<string>;
  exists(uri: string): Promise<boolean>;
  /** Streams a file artifact's bytes (for downloads and previews). */
  read(uri: string): Promise<Uint8Array>;
}
