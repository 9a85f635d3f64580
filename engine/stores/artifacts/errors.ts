/**
 * Errors of the artifact stores that are not tied to one implementation. (The URI and not-found
 * errors live beside the local store, which defined them first; every store throws those too.)
 */
import { NonRetryableError, SluiceError } from '../../../dsl';

/** The artifact store setting is wrong: an unknown scheme, a bad bucket name, a bad S3 setting. */
export class ArtifactStoreConfigError extends NonRetryableError {
  override readonly name: string = 'ArtifactStoreConfigError';
  override readonly code: string = 'artifact-store-config';
}

/**
 * The remote store refused us: no credentials, unknown or wrong credentials, or a policy that does
 * not allow the operation. Retrying with the same settings cannot help.
 */
export class ArtifactStoreAccessError extends NonRetryableError {
  override readonly name: string = 'ArtifactStoreAccessError';
  override readonly code: string = 'artifact-store-access';
}

/**
 * The remote store could not be reached or failed on its side (network error, timeout, HTTP 5xx)
 * after the client's own retries. Retryable: the store may be back by the next attempt.
 */
export class ArtifactStoreUnavailableError extends SluiceError {
  override readonly name: string = 'ArtifactStoreUnavailableError';
  override readonly code: string = 'artifact-store-unavailable';
}

/**
 * Stored content does not match its address: the bytes under `sha256/<hex>` hash to something else
 * (damaged or overwritten in the bucket). Nothing corrupted is ever handed to a component.
 */
export class ArtifactCorruptedError extends NonRetryableError {
  override readonly name: string = 'ArtifactCorruptedError';
  override readonly code: string = 'artifact-corrupted';
}
