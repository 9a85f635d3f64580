/**
 * The S3-compatible store against a real S3 API server over HTTP: s3rver, started in-process on an
 * ephemeral port (test/support/s3server.ts lists what s3rver does not emulate). The same contract
 * suite as the local store runs twice (with a key prefix and at the bucket's root), then the
 * S3-specific behaviour: layout, the download cache, missing and corrupted objects, credentials and
 * connection errors, multipart uploads, and settings from the environment.
 */
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { S3RVER_CREDENTIALS, startS3Server, type TestS3Server } from '../../../test/support/s3server';
import { describeArtifactStoreContract } from './artifactStore.contract';
import {
  ArtifactCorruptedError,
  ArtifactNotFoundError,
  ArtifactStoreAccessError,
  ArtifactStoreConfigError,
  ArtifactStoreUnavailableError,
  InvalidArtifactUriError,
  manifestText,
  openArtifactStore,
  parseS3Root,
  S3ArtifactStore,
  s3OptionsFromEnv,
  type S3ArtifactStoreOptions,
} from './index';

const BUCKET = 'sluice-test';
/** A bucket the store uses without a key prefix. */
const ROOT_BUCKET = 'sluice-root';
const sha = (data: string | Uint8Array): string => createHash('sha256').update(data).digest('hex');
const keyOf = (prefix: string, hex: string): string => `${prefix}sha256/${hex.slice(0, 2)}/${hex}`;

let s3: TestS3Server;
const temps: string[] = [];
const stores: S3ArtifactStore[] = [];
async function tempDir(name: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `sluice-s3-${name}-`));
  temps.push(dir);
  return dir;
}

beforeAll(async () => {
  s3 = await startS3Server([BUCKET, ROOT_BUCKET]);
});
afterAll(async () => {
  for (const s of stores) s.close();
  await s3?.stop();
  await Promise.all(temps.map((d) => rm(d, { recursive: true, force: true })));
});

/** A store on the test server; a fresh cache directory unless one is given. */
async function makeStore(options: Partial<S3ArtifactStoreOptions> = {}): Promise<S3ArtifactStore> {
  const store = new S3ArtifactStore({
    bucket: BUCKET,
    endpoint: s3.endpoint,
    credentials: S3RVER_CREDENTIALS,
    cacheDir: options.cacheDir ?? (await tempDir('cache')),
    ...options,
  });
  stores.push(store);
  return store;
}

/** A client of its own for looking at (and tampering with) the bucket behind the store's back. */
function rawClient(): S3Client {
  return new S3Client({
    endpoint: s3.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: S3RVER_CREDENTIALS,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

/** Records the name of every command a client sends. */
function recordCommands(client: S3Client): string[] {
  const sent: string[] = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      sent.push(context.commandName ?? '?');
      return next(args);
    },
    { step: 'initialize', name: 'recordCommands' },
  );
  return sent;
}

let prefixes = 0;
describeArtifactStoreContract('S3ArtifactStore on s3rver (key prefix)', () => makeStore({ prefix: `contract/run-${++prefixes}` }));
describeArtifactStoreContract('S3ArtifactStore on s3rver (bucket root)', () => makeStore({ bucket: ROOT_BUCKET }));

describe('S3ArtifactStore', () => {
  let src: string;
  let raw: S3Client;
  beforeAll(async () => {
    src = await tempDir('src');
    raw = rawClient();
  });
  afterAll(() => raw.destroy());

  let n = 0;
  const file = async (content: string | Uint8Array): Promise<string> => {
    const path = join(src, `f-${n++}`);
    await writeFile(path, content);
    return path;
  };
  const tree = async (files: Record<string, string>): Promise<string> => {
    const dir = join(src, `d-${n++}`);
    for (const [rel, content] of Object.entries(files)) {
      await mkdir(join(dir, rel, '..'), { recursive: true });
      await writeFile(join(dir, rel), content);
    }
    await mkdir(dir, { recursive: true });
    return dir;
  };
  const listKeys = async (prefix: string): Promise<string[]> => {
    const res = await raw.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix }));
    return (res.Contents ?? []).map((o) => o.Key ?? '').sort();
  };
  const objectText = async (key: string): Promise<{ text: string; metadata: Record<string, string> }> => {
    const res = await raw.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
    return { text: (await res.Body?.transformToString()) ?? '', metadata: res.Metadata ?? {} };
  };
  const tamper = async (key: string, body: string): Promise<void> => {
    await raw.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
  };
  const remove = async (key: string): Promise<void> => {
    await raw.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: key }));
  };
  /** What a cache directory holds: finished entries and leftovers in tmp/. */
  const cacheContents = async (cacheDir: string): Promise<{ entries: string[]; tmp: string[] }> => {
    const ls = async (d: string): Promise<string[]> => readdir(d).catch(() => []);
    const entries: string[] = [];
    for (const two of await ls(join(cacheDir, 'sha256'))) entries.push(...(await ls(join(cacheDir, 'sha256', two))));
    return { entries, tmp: await ls(join(cacheDir, 'tmp')) };
  };

  it('lays files out as <prefix>/sha256/<2 hex>/<hex> with s3:// URIs', async () => {
    const store = await makeStore({ prefix: '/layout/files/' });
    expect(store.prefix).toBe('layout/files');
    expect(store.description).toBe(`S3 store s3://${BUCKET}/layout/files at ${s3.endpoint}`);
    const stored = await store.put(await file('layout'));
    const hex = sha('layout');
    expect(stored.uri).toBe(`s3://${BUCKET}/layout/files/sha256/${hex.slice(0, 2)}/${hex}`);
    expect(await listKeys('layout/files/')).toEqual([keyOf('layout/files/', hex)]);
    expect((await objectText(keyOf('layout/files/', hex))).text).toBe('layout');
  });

  it('stores a directory as one blob per file plus its manifest, written last and marked as a directory', async () => {
    const store = await makeStore({ prefix: 'layout/dirs' });
    const p = 'layout/dirs/';
    const stored = await store.put(await tree({ 'x.txt': 'x', 'y/z.txt': 'z' }));
    const manifest = manifestText([
      { relPath: 'x.txt', sha256: sha('x'), size: 1 },
      { relPath: 'y/z.txt', sha256: sha('z'), size: 1 },
    ]);
    expect(stored).toMatchObject({ sha256: sha(manifest), size: 2, directory: true });
    expect(stored.uri).toBe(`s3://${BUCKET}/${keyOf(p, sha(manifest))}/`);
    expect(await listKeys(p)).toEqual([keyOf(p, sha('x')), keyOf(p, sha('z')), keyOf(p, sha(manifest))].sort());
    expect(await objectText(keyOf(p, sha(manifest)))).toEqual({ text: manifest, metadata: { 'sluice-kind': 'directory' } });

    // The same bytes stored as a file artifact reuse the directory's blob.
    const single = await store.put(await file('z'));
    expect(single.uri).toBe(`s3://${BUCKET}/${keyOf(p, sha('z'))}`);
    expect(await listKeys(p)).toHaveLength(3);
    expect(new TextDecoder().decode(await store.read(single.uri))).toBe('z');
    // Both URI spellings of a directory materialize it.
    const dir = await store.materialize(stored.uri);
    expect(await store.materialize(stored.uri.slice(0, -1))).toBe(dir);
    expect(await readFile(join(dir, 'y', 'z.txt'), 'utf8')).toBe('z');
  });

  it('sends nothing when the content is already stored', async () => {
    const client = rawClient();
    const sent = recordCommands(client);
    const store = await makeStore({ client, prefix: 'dedup' });
    const path = await file('stored once');
    await store.put(path);
    expect(sent).toEqual(['HeadObjectCommand', 'PutObjectCommand']);
    sent.length = 0;
    await store.put(path);
    await store.put(await tree({ 'a.txt': 'stored once' })); // a new manifest, but no new file blob
    expect(sent).toEqual(['HeadObjectCommand', 'HeadObjectCommand', 'HeadObjectCommand', 'PutObjectCommand']);
    client.destroy();
  });

  it('materializes into its cache directory with read-only files, and reuses the cache without asking the bucket', async () => {
    const cacheDir = await tempDir('reuse');
    const store = await makeStore({ prefix: 'reuse', cacheDir });
    const stored = await store.put(await file('cached bytes'));
    const dirStored = await store.put(await tree({ 'in/dir.txt': 'cached dir' }));
    const path = await store.materialize(stored.uri);
    expect(path).toBe(join(cacheDir, 'sha256', stored.sha256.slice(0, 2), stored.sha256));
    expect((await stat(path)).mode & 0o777).toBe(0o444);
    const dirPath = await store.materialize(dirStored.uri);
    expect((await stat(join(dirPath, 'in', 'dir.txt'))).mode & 0o777).toBe(0o444);

    // Gone from the bucket: a store sharing the cache still has both, and sends no request.
    await remove(keyOf('reuse/', stored.sha256));
    await remove(keyOf('reuse/', dirStored.sha256));
    const client = rawClient();
    const sent = recordCommands(client);
    const again = await makeStore({ prefix: 'reuse', cacheDir, client });
    expect(await again.materialize(stored.uri)).toBe(path);
    expect(new TextDecoder().decode(await again.read(stored.uri))).toBe('cached bytes');
    expect(await readFile(join(await again.materialize(dirStored.uri), 'in', 'dir.txt'), 'utf8')).toBe('cached dir');
    expect(sent).toEqual([]);
    expect((await cacheContents(cacheDir)).tmp).toEqual([]);
    client.destroy();
  });

  it('shares one download between concurrent materialize() calls', async () => {
    const client = rawClient();
    const sent = recordCommands(client);
    const store = await makeStore({ prefix: 'concurrent', client });
    const stored = await store.put(await file('wanted by three'));
    sent.length = 0;
    const paths = await Promise.all([1, 2, 3].map(() => store.materialize(stored.uri)));
    expect(new Set(paths).size).toBe(1);
    expect(sent).toEqual(['GetObjectCommand']);
    client.destroy();
  });

  it('reports an object missing from the bucket clearly, and leaves nothing in the cache', async () => {
    const writer = await makeStore({ prefix: 'missing' });
    const stored = await writer.put(await file('soon deleted'));
    await remove(keyOf('missing/', stored.sha256));
    const cacheDir = await tempDir('missing');
    const store = await makeStore({ prefix: 'missing', cacheDir });
    expect(await store.exists(stored.uri)).toBe(false);
    const key = keyOf('missing/', stored.sha256);
    await expect(store.materialize(stored.uri)).rejects.toThrow(ArtifactNotFoundError);
    await expect(store.materialize(stored.uri)).rejects.toThrow(`object s3://${BUCKET}/${key} does not exist`);
    await expect(store.read(stored.uri)).rejects.toThrow(ArtifactNotFoundError);
    expect(await cacheContents(cacheDir)).toEqual({ entries: [], tmp: [] });
  });

  it('refuses a corrupted object (same length, other bytes) on materialize, and caches nothing', async () => {
    const writer = await makeStore({ prefix: 'corrupt' });
    const stored = await writer.put(await file('precious'));
    const key = keyOf('corrupt/', stored.sha256);
    await tamper(key, 'PRECIOUS');
    const cacheDir = await tempDir('corrupt');
    const store = await makeStore({ prefix: 'corrupt', cacheDir });
    const error = await store.materialize(stored.uri).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ArtifactCorruptedError);
    expect((error as Error).message).toContain(`object s3://${BUCKET}/${key}`);
    expect((error as Error).message).toContain(`hash to sha256 ${sha('PRECIOUS')}`);
    await expect(store.read(stored.uri)).rejects.toThrow(ArtifactCorruptedError);
    expect(await cacheContents(cacheDir)).toEqual({ entries: [], tmp: [] });
  });

  it('refuses a truncated object, and put() of the original content replaces it', async () => {
    const store = await makeStore({ prefix: 'truncated' });
    const path = await file('whole content');
    const stored = await store.put(path);
    await tamper(keyOf('truncated/', stored.sha256), 'whole');
    const fresh = await makeStore({ prefix: 'truncated' });
    await expect(fresh.materialize(stored.uri)).rejects.toThrow(/corrupted: its 5 bytes hash to sha256 [0-9a-f]{64}, not to the sha256 its key names/);
    expect(await store.put(path)).toEqual(stored); // the stored length is wrong: uploaded again
    const healed = await makeStore({ prefix: 'truncated' });
    expect(new TextDecoder().decode(await healed.read(stored.uri))).toBe('whole content');
  });

  it('names the missing file when a directory has lost one of its blobs', async () => {
    const writer = await makeStore({ prefix: 'dir-missing' });
    const stored = await writer.put(await tree({ 'keep.txt': 'keep', 'sub/lost.txt': 'lost' }));
    await remove(keyOf('dir-missing/', sha('lost')));
    const cacheDir = await tempDir('dir-missing');
    const store = await makeStore({ prefix: 'dir-missing', cacheDir });
    await expect(store.materialize(stored.uri)).rejects.toThrow(ArtifactNotFoundError);
    await expect(store.materialize(stored.uri)).rejects.toThrow(/directory artifact .* lists "sub\/lost.txt" .* does not exist/);
    expect(await cacheContents(cacheDir)).toEqual({ entries: [], tmp: [] });
  });

  it('refuses a directory whose file blob or manifest was altered', async () => {
    const writer = await makeStore({ prefix: 'dir-corrupt' });
    const stored = await writer.put(await tree({ 'a.txt': 'alpha', 'b.txt': 'beta' }));
    await tamper(keyOf('dir-corrupt/', sha('beta')), 'BETA');
    const cacheDir = await tempDir('dir-corrupt');
    const store = await makeStore({ prefix: 'dir-corrupt', cacheDir });
    await expect(store.materialize(stored.uri)).rejects.toThrow(ArtifactCorruptedError);
    expect(await cacheContents(cacheDir)).toEqual({ entries: [], tmp: [] });

    const other = await writer.put(await tree({ 'c.txt': 'gamma' }));
    const manifestKey = keyOf('dir-corrupt/', other.sha256);
    await raw.send(
      new PutObjectCommand({ Bucket: BUCKET, Key: manifestKey, Body: 'not a manifest\n', Metadata: { 'sluice-kind': 'directory' } }),
    );
    await expect(store.materialize(other.uri)).rejects.toThrow(/corrupted: its directory manifest hashes to sha256/);
  });

  it('refuses to read() a directory without downloading it', async () => {
    const client = rawClient();
    const sent = recordCommands(client);
    const store = await makeStore({ prefix: 'read-dir', client });
    const stored = await store.put(await tree({ 'f.txt': 'f' }));
    sent.length = 0;
    await expect(store.read(stored.uri)).rejects.toThrow(InvalidArtifactUriError);
    expect(sent).toEqual([]);
    client.destroy();
  });

  it('rejects URIs of another bucket or prefix', async () => {
    const a = await makeStore({ prefix: 'uri/a' });
    const stored = await a.put(await file('uri check'));
    const b = await makeStore({ prefix: 'uri/b' });
    await expect(b.materialize(stored.uri)).rejects.toThrow(InvalidArtifactUriError);
    await expect(b.exists(stored.uri)).rejects.toThrow(/not an artifact URI of S3 store s3:\/\/sluice-test\/uri\/b/);
    await expect(a.materialize(stored.uri.replace(BUCKET, 'other-bucket'))).rejects.toThrow(InvalidArtifactUriError);
    await expect(a.materialize(stored.uri.replace(`/${stored.sha256.slice(0, 2)}/`, '/zz/'))).rejects.toThrow(InvalidArtifactUriError);
  });

  it('falls back to plain PUTs when the server does not implement conditional writes', async () => {
    const client = rawClient();
    const conditional: boolean[] = [];
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const input = args.input as { IfNoneMatch?: string };
        if (context.commandName === 'PutObjectCommand') {
          conditional.push(input.IfNoneMatch !== undefined);
          if (input.IfNoneMatch !== undefined) {
            throw Object.assign(new Error('A header you provided implies functionality that is not implemented'), {
              name: 'NotImplemented',
              $metadata: { httpStatusCode: 501 },
            });
          }
        }
        return next(args);
      },
      { step: 'initialize', name: 'noConditionalWrites' },
    );
    const store = await makeStore({ prefix: 'no-conditional', client });
    const a = await store.put(await file('first'));
    const b = await store.put(await tree({ 'f.txt': 'second' }));
    expect(conditional).toEqual([true, false, false, false]); // refused once, then never sent again
    const fresh = await makeStore({ prefix: 'no-conditional' });
    expect(new TextDecoder().decode(await fresh.read(a.uri))).toBe('first');
    expect(await readFile(join(await fresh.materialize(b.uri), 'f.txt'), 'utf8')).toBe('second');
    client.destroy();
  });

  it('refuses a file whose bytes are exactly the manifest of a stored directory', async () => {
    const store = await makeStore({ prefix: 'collision' });
    await store.put(await tree({ a: 'a' }));
    const manifest = manifestText([{ relPath: 'a', sha256: sha('a'), size: 1 }]);
    await expect(store.put(await file(manifest))).rejects.toThrow(/a directory with the same digest is stored there/);
  });

  describe('multipart uploads', () => {
    const big = new Uint8Array(12 * 1024 * 1024 + 3).map((_, i) => (i * 7919) % 251);
    let failPart: number | undefined;
    afterEach(() => {
      failPart = undefined;
    });
    const multipartStore = async (prefix: string): Promise<{ store: S3ArtifactStore; sent: string[]; client: S3Client }> => {
      const client = rawClient();
      const sent = recordCommands(client);
      client.middlewareStack.add(
        (next, context) => async (args) => {
          const part = (args.input as { PartNumber?: number }).PartNumber;
          if (context.commandName === 'UploadPartCommand' && part === failPart) throw new Error(`simulated failure of part ${part}`);
          return next(args);
        },
        { step: 'initialize', name: 'failPart' },
      );
      const store = await makeStore({ prefix, client, multipartThreshold: 6 * 1024 * 1024, partSize: 5 * 1024 * 1024 });
      return { store, sent, client };
    };

    it('sends big files in parts, streamed from disk, and reads them back intact', async () => {
      const { store, sent, client } = await multipartStore('multipart');
      const stored = await store.put(await file(big));
      expect(stored).toMatchObject({ sha256: sha(big), size: big.length });
      expect(sent).toEqual([
        'HeadObjectCommand',
        'CreateMultipartUploadCommand',
        'UploadPartCommand',
        'UploadPartCommand',
        'UploadPartCommand',
        'CompleteMultipartUploadCommand',
      ]);
      const head = await raw.send(new HeadObjectCommand({ Bucket: BUCKET, Key: keyOf('multipart/', stored.sha256) }));
      expect(head.ContentLength).toBe(big.length);
      const fresh = await makeStore({ prefix: 'multipart' });
      expect(sha(await readFile(await fresh.materialize(stored.uri)))).toBe(stored.sha256);
      client.destroy();
    });

    it('leaves no object behind when a part fails, and aborts the upload', async () => {
      const { store, sent, client } = await multipartStore('multipart-fail');
      failPart = 2;
      await expect(store.put(await file(big))).rejects.toThrow(/simulated failure of part 2/);
      expect(sent).toContain('AbortMultipartUploadCommand');
      expect(sent).not.toContain('CompleteMultipartUploadCommand');
      expect(await listKeys('multipart-fail/')).toEqual([]);
      failPart = undefined;
      const stored = await store.put(await file(big));
      expect(await store.exists(stored.uri)).toBe(true);
      client.destroy();
    });

    it('refuses part sizes below S3\'s 5 MiB minimum', async () => {
      await expect(makeStore({ partSize: 1024 })).rejects.toThrow(ArtifactStoreConfigError);
    });
  });

  describe('access and connection errors', () => {
    it('says which setting to check when the server does not know the access key', async () => {
      const store = await makeStore({ prefix: 'creds', credentials: { accessKeyId: 'NOT-A-KEY', secretAccessKey: 'x' } });
      const uri = `s3://${BUCKET}/creds/sha256/${sha('x').slice(0, 2)}/${sha('x')}`;
      await expect(store.materialize(uri)).rejects.toThrow(ArtifactStoreAccessError);
      await expect(store.materialize(uri)).rejects.toThrow(/refused GetObject .*InvalidAccessKeyId.*check AWS_ACCESS_KEY_ID/);
      await expect(store.put(await file('x'))).rejects.toThrow(/HTTP 403.*check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY/);
      await expect(store.checkAccess()).rejects.toThrow(ArtifactStoreAccessError);
      const error = await store.exists(uri).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ArtifactStoreAccessError);
      expect((error as ArtifactStoreAccessError).retryable).toBe(false);
    });

    describe('a server that refuses the signature or the policy (an HTTP stub answering as S3 does)', () => {
      let stub: Server;
      let endpoint: string;
      let code = 'SignatureDoesNotMatch';
      beforeAll(async () => {
        stub = createServer((req, res) => {
          req.resume();
          res.writeHead(403, { 'content-type': 'application/xml' });
          res.end(`<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>refused by the stub</Message></Error>`);
        });
        await new Promise<void>((done) => stub.listen(0, '127.0.0.1', done));
        endpoint = `http://127.0.0.1:${(stub.address() as AddressInfo).port}`;
      });
      afterAll(async () => {
        await new Promise((done) => stub.close(done));
      });

      it('maps SignatureDoesNotMatch and AccessDenied to access errors with advice', async () => {
        const store = await makeStore({ endpoint, credentials: { accessKeyId: 'AKIA', secretAccessKey: 'wrong' }, maxAttempts: 1 });
        const uri = `s3://${BUCKET}/sha256/${sha('y').slice(0, 2)}/${sha('y')}`;
        code = 'SignatureDoesNotMatch';
        await expect(store.materialize(uri)).rejects.toThrow(/secret key does not match the access key id; check AWS_SECRET_ACCESS_KEY/);
        code = 'AccessDenied';
        await expect(store.materialize(uri)).rejects.toThrow(ArtifactStoreAccessError);
        await expect(store.materialize(uri)).rejects.toThrow(/policy allows s3:GetObject/);
      });
    });

    it('says so when no credentials can be found at all', async () => {
      const saved = { ...process.env };
      for (const name of Object.keys(process.env)) if (name.startsWith('AWS_')) delete process.env[name];
      Object.assign(process.env, {
        AWS_EC2_METADATA_DISABLED: 'true',
        AWS_SHARED_CREDENTIALS_FILE: join(src, 'no-credentials'),
        AWS_CONFIG_FILE: join(src, 'no-config'),
      });
      try {
        const open = openArtifactStore({
          root: `s3://${BUCKET}/nocreds`,
          env: { SLUICE_S3_ENDPOINT: s3.endpoint, SLUICE_ARTIFACT_CACHE: await tempDir('nocreds') },
        });
        await expect(open).rejects.toThrow(ArtifactStoreAccessError);
        await expect(open).rejects.toThrow(/no S3 credentials .*set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY/);
      } finally {
        for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
        Object.assign(process.env, saved);
      }
    });

    it('reports an unreachable endpoint as retryable, naming the setting', async () => {
      const closed = createServer();
      await new Promise<void>((done) => closed.listen(0, '127.0.0.1', done));
      const port = (closed.address() as AddressInfo).port;
      await new Promise((done) => closed.close(done));
      const store = await makeStore({ endpoint: `http://127.0.0.1:${port}`, maxAttempts: 1 });
      const error = await store.put(await file('nowhere')).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ArtifactStoreUnavailableError);
      expect((error as ArtifactStoreUnavailableError).retryable).toBe(true);
      expect((error as Error).message).toMatch(/unreachable or failing .*ECONNREFUSED.*SLUICE_S3_ENDPOINT/);
    });
  });

  describe('openArtifactStore with settings from the environment', () => {
    const env = async (extra: NodeJS.ProcessEnv = {}): Promise<NodeJS.ProcessEnv> => ({
      SLUICE_S3_ENDPOINT: s3.endpoint,
      AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
      AWS_REGION: 'eu-west-1',
      SLUICE_ARTIFACT_CACHE: await tempDir('env-cache'),
      ...extra,
    });

    it('opens an S3 store for s3://bucket/prefix that stores and materializes', async () => {
      const settings = await env();
      const store = await openArtifactStore({ root: `s3://${BUCKET}/from-env/artifacts`, env: settings });
      expect(store).toBeInstanceOf(S3ArtifactStore);
      stores.push(store as S3ArtifactStore);
      expect(store.description).toBe(`S3 store s3://${BUCKET}/from-env/artifacts at ${s3.endpoint}`);
      const stored = await store.put(await file('via env'));
      expect(stored.uri).toMatch(new RegExp(`^s3://${BUCKET}/from-env/artifacts/sha256/`));
      const path = await store.materialize(stored.uri);
      expect(path.startsWith(settings.SLUICE_ARTIFACT_CACHE as string)).toBe(true);
      expect(await readFile(path, 'utf8')).toBe('via env');
    });

    it('fails at open when the bucket does not exist', async () => {
      const open = openArtifactStore({ root: 's3://no-such-bucket/x', env: await env() });
      await expect(open).rejects.toThrow(ArtifactStoreConfigError);
      await expect(open).rejects.toThrow(/bucket "no-such-bucket" does not exist/);
    });

    it('reads every setting, with defaults', () => {
      expect(s3OptionsFromEnv('s3://b-1/p/q/', { SLUICE_S3_ENDPOINT: 'http://minio:9000', AWS_ACCESS_KEY_ID: 'k', AWS_SECRET_ACCESS_KEY: 's', AWS_SESSION_TOKEN: 't', SLUICE_S3_FORCE_PATH_STYLE: 'false', AWS_REGION: 'eu-central-1', SLUICE_ARTIFACT_CACHE: '/c' })).toEqual({
        bucket: 'b-1',
        prefix: 'p/q',
        endpoint: 'http://minio:9000',
        region: 'eu-central-1',
        credentials: { accessKeyId: 'k', secretAccessKey: 's', sessionToken: 't' },
        forcePathStyle: false,
        cacheDir: '/c',
      });
      const defaults = s3OptionsFromEnv('s3://bucket', { AWS_DEFAULT_REGION: 'ap-south-1' });
      expect(defaults).toMatchObject({ bucket: 'bucket', prefix: '', region: 'ap-south-1' });
      expect(defaults).not.toHaveProperty('credentials');
      expect(defaults).not.toHaveProperty('endpoint');
      expect(defaults.cacheDir).toMatch(/cache[/\\]artifacts$/);
    });

    it('refuses bad settings with the variable named', () => {
      const bad: [string, NodeJS.ProcessEnv, RegExp][] = [
        ['s3://bucket', { SLUICE_S3_ENDPOINT: 'minio:9000' }, /SLUICE_S3_ENDPOINT="minio:9000" is not an http/],
        ['s3://bucket', { AWS_ACCESS_KEY_ID: 'k' }, /AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not/],
        ['s3://bucket', { AWS_SECRET_ACCESS_KEY: 's' }, /AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not/],
        ['s3://bucket', { SLUICE_S3_FORCE_PATH_STYLE: 'maybe' }, /SLUICE_S3_FORCE_PATH_STYLE="maybe" must be true or false/],
        ['s3://', {}, /"" is not a valid bucket name/],
        ['s3://Bad_Bucket/x', {}, /"Bad_Bucket" is not a valid bucket name/],
        ['s3://bucket/a//b', {}, /key prefix "a\/\/b"/],
        ['s3://bucket/a/../b', {}, /key prefix/],
      ];
      for (const [root, e, message] of bad) {
        expect(() => s3OptionsFromEnv(root, e)).toThrow(ArtifactStoreConfigError);
        expect(() => s3OptionsFromEnv(root, e)).toThrow(message);
      }
      expect(parseS3Root('S3://bucket/x/')).toEqual({ bucket: 'bucket', prefix: 'x' });
    });
  });
});
