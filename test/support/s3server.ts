/**
 * A real S3-compatible HTTP server for tests: s3rver (an S3 API emulator written in Node), started
 * in-process on an ephemeral loopback port with its data in a temporary directory. The S3 client
 * talks to it over HTTP exactly as it would to MinIO or AWS S3 (path-style requests).
 *
 * What s3rver does not emulate (so these tests cannot prove it): SigV4 signature verification (it
 * checks only that the access key id is known; a wrong secret key is accepted), conditional writes
 * (`If-None-Match: *` on PUT is ignored), `x-amz-checksum-*` verification, atomic PUT visibility (it
 * writes objects in place), minimum part sizes, IAM policies and regions.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';

/** s3rver's built-in account. */
export const S3RVER_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;

export interface TestS3Server {
  /** `http://127.0.0.1:<port>` */
  endpoint: string;
  /** The directory s3rver keeps objects in. */
  directory: string;
  stop(): Promise<void>;
}

export async function startS3Server(buckets: string[]): Promise<TestS3Server> {
  const directory = await mkdtemp(join(tmpdir(), 'sluice-s3rver-'));
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory,
    configureBuckets: buckets.map((name) => ({ name, configs: [] })),
  });
  const address = await server.run();
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    directory,
    stop: async () => {
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
