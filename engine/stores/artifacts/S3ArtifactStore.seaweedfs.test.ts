/**
 * The S3 store against a real S3 implementation that checks what s3rver does not (issue 17):
 * SeaweedFS's S3 gateway (scripts/seaweedfs.sh builds and starts it). Runs only with
 * SLUICE_S3_CONTRACT=seaweedfs (the first start builds SeaweedFS from its Go module: tens of
 * minutes on 2 cores), so `npm test` stays on s3rver (S3ArtifactStore.test.ts).
 *
 * The contract suite runs as on s3rver (with a key prefix and at a bucket's root), then the server's
 * own checks, each as the store depends on it: a wrong secret key is refused (SigV4), a second
 * `If-None-Match: *` write of a key is refused with 412 (the store's race-free first write), and a
 * body that does not match its `x-amz-checksum-sha256` is refused and leaves nothing behind (the
 * store's guard against a file changing while it is stored), each recognised by the store's own
 * error mapping (s3Errors.ts).
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CreateBucketCommand, HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../paths';
import { describeArtifactStoreContract } from './artifactStore.contract';
import { ArtifactStoreAccessError, S3ArtifactStore, type S3ArtifactStoreOptions } from './index';
import { isChecksumMismatch, isPreconditionFailed, statusOf } from './s3Errors';

const enabled = process.env.SLUICE_S3_CONTRACT === 'seaweedfs';
const run = promisify(execFile);
/** Buckets of this run's own: the server's data outlives a run. */
const suffix = randomBytes(4).toString('hex');
const BUCKET = `sluice-contract-${suffix}`;
const ROOT_BUCKET = `sluice-root-${suffix}`;

let endpoint = '';
let credentials = { accessKeyId: '', secretAccessKey: '' };
const temps: string[] = [];
const stores: S3ArtifactStore[] = [];
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function client(creds = credentials): S3Client {
  return new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: creds,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

async function makeStore(options: Partial<S3ArtifactStoreOptions> = {}): Promise<S3ArtifactStore> {
  const cacheDir = await mkdtemp(join(tmpdir(), 'sluice-seaweedfs-cache-'));
  temps.push(cacheDir);
  const store = new S3ArtifactStore({ bucket: BUCKET, endpoint, credentials, cacheDir, ...options });
  stores.push(store);
  return store;
}

describe.skipIf(!enabled)('S3ArtifactStore on SeaweedFS (SLUICE_S3_CONTRACT=seaweedfs)', () => {
  beforeAll(async () => {
    const { stdout } = await run('bash', [join(projectRoot, 'scripts', 'seaweedfs.sh'), 'start'], { timeout: 60 * 60_000 });
    endpoint = stdout.trim().split('\n').pop() ?? '';
    // The identity the script configured: one place holds the keys.
    const config = JSON.parse(await readFile(join(projectRoot, '.sluice', 'seaweedfs', 's3.json'), 'utf8')) as {
      identities: { credentials: { accessKey: string; secretKey: string }[] }[];
    };
    const key = config.identities[0]?.credentials[0];
    if (!key) throw new Error('.sluice/seaweedfs/s3.json names no credentials');
    credentials = { accessKeyId: key.accessKey, secretAccessKey: key.secretKey };
    // The gateway answers before the master has volumes to write to: retry the first writes a while.
    const c = client();
    for (const bucket of [BUCKET, ROOT_BUCKET]) {
      for (let attempt = 1; ; attempt++) {
        try {
          await c.send(new CreateBucketCommand({ Bucket: bucket }));
          break;
        } catch (e) {
          if (attempt >= 60) throw e;
          await sleep(1000);
        }
      }
    }
    c.destroy();
  }, 60 * 60_000);

  afterAll(async () => {
    for (const s of stores) s.close();
    await Promise.all(temps.map((d) => rm(d, { recursive: true, force: true })));
  });

  // Registered at collection time; their factories run after the beforeAll above.
  let prefixes = 0;
  describeArtifactStoreContract('S3ArtifactStore on SeaweedFS (key prefix)', () => makeStore({ prefix: `contract/run-${++prefixes}` }));
  describeArtifactStoreContract('S3ArtifactStore on SeaweedFS (bucket root)', () => makeStore({ bucket: ROOT_BUCKET }));

  describe('what s3rver does not check', () => {
    it('refuses a request signed with the wrong secret key, which the store reports as an access error', async () => {
      const store = await makeStore({ credentials: { accessKeyId: credentials.accessKeyId, secretAccessKey: `${credentials.secretAccessKey}-wrong` } });
      const dir = await mkdtemp(join(tmpdir(), 'sluice-seaweedfs-src-'));
      temps.push(dir);
      await writeFile(join(dir, 'f'), `signed wrongly ${suffix}`);
      const err = await store.put(join(dir, 'f')).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ArtifactStoreAccessError);
    });

    it('refuses a second If-None-Match: * write of a key with 412, as the store expects', async () => {
      const c = client();
      const Key = `conditional/${suffix}`;
      await c.send(new PutObjectCommand({ Bucket: BUCKET, Key, Body: 'first', IfNoneMatch: '*' }));
      const err = await c.send(new PutObjectCommand({ Bucket: BUCKET, Key, Body: 'second', IfNoneMatch: '*' })).catch((e: unknown) => e);
      expect(statusOf(err), String(err)).toBe(412);
      expect(isPreconditionFailed(err)).toBe(true);
      c.destroy();
    });

    it('refuses a body that does not match its x-amz-checksum-sha256 and stores nothing', async () => {
      const c = client();
      const Key = `checksum/${suffix}`;
      const wrong = Buffer.alloc(32, 7).toString('base64');
      const err = await c.send(new PutObjectCommand({ Bucket: BUCKET, Key, Body: 'these bytes', ChecksumSHA256: wrong })).catch((e: unknown) => e);
      expect(err, 'the server accepted a body that does not match its checksum').toBeInstanceOf(Error);
      expect(isChecksumMismatch(err), `not recognised as a checksum mismatch: ${(err as Error).name}: ${(err as Error).message}`).toBe(true);
      const head = await c.send(new HeadObjectCommand({ Bucket: BUCKET, Key })).catch((e: unknown) => e);
      expect(statusOf(head)).toBe(404);
      c.destroy();
    });
  });
});
