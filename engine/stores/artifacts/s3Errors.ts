/**
 * S3 errors in Sluice's terms: the AWS SDK's errors (and network failures) become artifact store
 * errors that say what failed, where, whether retrying can help, and which setting to check.
 */
import { NonRetryableError } from '../../../dsl';
import { ArtifactStoreAccessError, ArtifactStoreConfigError, ArtifactStoreUnavailableError } from './errors';

export interface S3ErrorContext {
  /** The request, e.g. "GetObject". */
  operation: string;
  /** What it was about, e.g. "s3://bucket/key". */
  where: string;
  /** The endpoint, or "AWS S3". */
  server: string;
  /** The store's description. */
  store: string;
  bucket: string;
}

/** Error codes that mean "these credentials may not do this". */
const ACCESS_ERRORS = new Set([
  'AccessDenied',
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'InvalidToken',
  'ExpiredToken',
  'TokenRefreshRequired',
  'AllAccessDisabled',
]);

export function s3Error(err: unknown, { operation, where, server, store, bucket }: S3ErrorContext): Error {
  if (err instanceof NonRetryableError || err instanceof ArtifactStoreUnavailableError) return err;
  const name = nameOf(err);
  const status = statusOf(err);
  const detail = `${name ?? 'Error'}${status !== undefined ? `, HTTP ${status}` : ''}: ${err instanceof Error ? err.message : String(err)}`;
  if (name === 'CredentialsProviderError') {
    return new ArtifactStoreAccessError(
      `no S3 credentials for ${store}: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY ` +
        `(or use an AWS profile or instance role) (${detail})`,
      { cause: err },
    );
  }
  if (status === 403 || (name !== undefined && ACCESS_ERRORS.has(name))) {
    const why =
      name === 'InvalidAccessKeyId'
        ? 'the server does not know the access key id; check AWS_ACCESS_KEY_ID'
        : name === 'SignatureDoesNotMatch'
          ? 'the secret key does not match the access key id; check AWS_SECRET_ACCESS_KEY'
          : name === 'ExpiredToken' || name === 'InvalidToken'
            ? 'the session token is expired or invalid; refresh AWS_SESSION_TOKEN'
            : 'check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, and that their policy allows s3:GetObject, s3:PutObject, ' +
              's3:DeleteObject and s3:ListBucket on the bucket (without s3:ListBucket, S3 answers 403 for missing objects)';
    return new ArtifactStoreAccessError(`${server} refused ${operation} of ${where} (${detail}): ${why}`, { cause: err });
  }
  if (name === 'NoSuchBucket') {
    return new ArtifactStoreConfigError(
      `bucket "${bucket}" does not exist at ${server} (${operation} of ${where}); create it or fix SLUICE_ARTIFACTS`,
      { cause: err },
    );
  }
  if (status === 301 || name === 'PermanentRedirect' || name === 'AuthorizationHeaderMalformed') {
    return new ArtifactStoreConfigError(
      `${server} refused ${operation} of ${where} (${detail}): the bucket is probably in another region; set AWS_REGION`,
      { cause: err },
    );
  }
  if (status === undefined || status >= 500 || status === 408 || status === 429) {
    return new ArtifactStoreUnavailableError(
      `${operation} of ${where} failed: ${server} is unreachable or failing (${detail}); ` +
        'is the S3 server running, and is SLUICE_S3_ENDPOINT right?',
      { cause: err },
    );
  }
  return new NonRetryableError(`${operation} of ${where} failed at ${server} (${detail})`, { cause: err });
}

/** The S3 error code (`Code`, else the error's name). */
export function nameOf(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const e = err as { name?: unknown; Code?: unknown };
  if (typeof e.Code === 'string') return e.Code;
  return typeof e.name === 'string' ? e.name : undefined;
}

/** The HTTP status of the response, when there was one. */
export function statusOf(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const status = (err as { $metadata?: { httpStatusCode?: unknown } }).$metadata?.httpStatusCode;
  return typeof status === 'number' ? status : undefined;
}

/** A conditional write (`If-None-Match: *`) found the key taken. */
export function isPreconditionFailed(err: unknown): boolean {
  return statusOf(err) === 412 || nameOf(err) === 'PreconditionFailed';
}

/** The server refused the body because it does not match the checksum sent with it. */
export function isChecksumMismatch(err: unknown): boolean {
  const name = nameOf(err) ?? '';
  return name === 'BadDigest' || name === 'InvalidDigest' || /ChecksumMismatch|XAmzContentSHA256Mismatch/i.test(name);
}
