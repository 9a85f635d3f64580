/**
 * Opens the artifact store a deployment is configured for. Callers pass the root setting (e.g. the
 * `SLUICE_ARTIFACTS` environment variable); an S3 root's connection settings come from `env`
 * (default `process.env`), the variables every S3 tool reads:
 *
 *   SLUICE_S3_ENDPOINT          S3-compatible endpoint, e.g. http://minio:9000 (omit for AWS S3)
 *   AWS_REGION                  region (default us-east-1; AWS_DEFAULT_REGION is read too)
 *   AWS_ACCESS_KEY_ID           access key id      } both or neither; neither = the AWS SDK's
 *   AWS_SECRET_ACCESS_KEY       secret access key  } default chain (profile, instance role, …)
 *   AWS_SESSION_TOKEN           optional session token
 *   SLUICE_S3_FORCE_PATH_STYLE  true|false: path-style URLs (default true when an endpoint is set)
 *   SLUICE_ARTIFACT_CACHE       local download cache for materialize() (default <state dir>/cache/artifacts)
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { stateDir } from '../../paths';
import type { ArtifactStore } from './ArtifactStore';
import { ArtifactStoreConfigError } from './errors';
import { LocalArtifactStore } from './LocalArtifactStore';
import { parseS3Root, S3ArtifactStore, type S3ArtifactStoreOptions } from './S3ArtifactStore';

export { ArtifactStoreConfigError } from './errors';

export interface ArtifactStoreConfig {
  /**
   * Where artifacts live: a local directory path or `file://` URL (default `.sluice/artifacts`), or
   * `s3://bucket/prefix` for the S3-compatible store.
   */
  root?: string;
  /** Environment holding the S3 settings (see the file comment); default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /**
   * For S3: check the bucket and credentials while opening (default true), so that a misconfigured
   * process fails at start-up with a clear message rather than at its first task.
   */
  verify?: boolean;
}

/** Async because remote stores need I/O to open (credentials, bucket checks). */
export async function openArtifactStore(config: ArtifactStoreConfig = {}): Promise<ArtifactStore> {
  const root = config.root?.trim() || undefined;
  if (root === undefined) return new LocalArtifactStore();
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(root)?.[1]?.toLowerCase();
  if (scheme === undefined) return new LocalArtifactStore({ root });
  if (scheme === 'file') return new LocalArtifactStore({ root: fileURLToPath(root) });
  if (scheme === 's3') {
    const store = new S3ArtifactStore(s3OptionsFromEnv(root, config.env ?? process.env));
    if (config.verify !== false) {
      try {
        await store.checkAccess();
      } catch (err) {
        store.close();
        throw err;
      }
    }
    return store;
  }
  throw new ArtifactStoreConfigError(
    `artifact store "${root}": unknown scheme "${scheme}://"; use a local directory path, a file:// URL or s3://bucket/prefix`,
  );
}

/** The S3 store's options for `root` (`s3://bucket/prefix`) from the environment; throws ArtifactStoreConfigError. */
export function s3OptionsFromEnv(root: string, env: NodeJS.ProcessEnv): S3ArtifactStoreOptions {
  const { bucket, prefix } = parseS3Root(root);
  const value = (name: string): string | undefined => env[name]?.trim() || undefined;

  const endpoint = value('SLUICE_S3_ENDPOINT');
  if (endpoint !== undefined) {
    let url: URL | undefined;
    try {
      url = new URL(endpoint);
    } catch {
      url = undefined;
    }
    if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
      throw new ArtifactStoreConfigError(
        `SLUICE_S3_ENDPOINT="${endpoint}" is not an http:// or https:// URL (e.g. http://minio:9000); unset it for AWS S3`,
      );
    }
  }

  const accessKeyId = value('AWS_ACCESS_KEY_ID');
  const secretAccessKey = value('AWS_SECRET_ACCESS_KEY');
  if ((accessKeyId === undefined) !== (secretAccessKey === undefined)) {
    throw new ArtifactStoreConfigError(
      `${accessKeyId === undefined ? 'AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not' : 'AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not'}: ` +
        'set both (or neither, to use an AWS profile or instance role)',
    );
  }
  const sessionToken = value('AWS_SESSION_TOKEN');

  const pathStyle = value('SLUICE_S3_FORCE_PATH_STYLE')?.toLowerCase();
  let forcePathStyle: boolean | undefined;
  if (pathStyle !== undefined) {
    if (['true', '1', 'yes'].includes(pathStyle)) forcePathStyle = true;
    else if (['false', '0', 'no'].includes(pathStyle)) forcePathStyle = false;
    else {
      throw new ArtifactStoreConfigError(`SLUICE_S3_FORCE_PATH_STYLE="${env.SLUICE_S3_FORCE_PATH_STYLE}" must be true or false`);
    }
  }

  const region = value('AWS_REGION') ?? value('AWS_DEFAULT_REGION');
  return {
    bucket,
    prefix,
    cacheDir: value('SLUICE_ARTIFACT_CACHE') ?? path.join(stateDir(), 'cache', 'artifacts'),
    ...(endpoint !== undefined ? { endpoint } : {}),
    ...(region !== undefined ? { region } : {}),
    ...(accessKeyId !== undefined && secretAccessKey !== undefined
      ? { credentials: { accessKeyId, secretAccessKey, ...(sessionToken !== undefined ? { sessionToken } : {}) } }
      : {}),
    ...(forcePathStyle !== undefined ? { forcePathStyle } : {}),
  };
}
