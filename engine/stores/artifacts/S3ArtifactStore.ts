/**
 * The S3-compatible artifact store (AWS S3, MinIO, …): the local store's content-addressed layout
 * under a bucket and key prefix, plus a local download cache for materialize().
 *
 * Layout in the bucket (`p/` is the optional prefix):
 *   p/sha256/<hex[0:2]>/<hex>   a file artifact's bytes; hex = sha256 of the bytes
 *                               or a directory artifact's manifest (object metadata
 *                               `x-amz-meta-sluice-kind: directory`); hex = sha256 of the manifest
 * URIs: `s3://bucket/p/sha256/<2>/<hex>`, with a trailing `/` for directories (as the local store).
 *
 * A directory is its manifest (the local store's format, `manifestText`) plus one blob per file,
 * stored under the file's own digest, so files shared between directories (or stored as file
 * artifacts too) are stored once. The manifest is written last: a directory becomes visible only
 * when every file it lists is in the bucket.
 *
 * No half-written object is ever visible under an artifact key: S3 makes an object visible only when
 * its PUT completes (a failed or interrupted PUT leaves nothing, or the previous object), and a
 * multipart upload only at CompleteMultipartUpload, which this store calls after the last part and
 * after checking the bytes sent hash to the key (otherwise it aborts the upload). Single PUTs carry
 * `x-amz-checksum-sha256`, so S3 and MinIO refuse bytes that do not match the key; for servers that
 * ignore that header the store hashes what it sent and deletes the object on a mismatch. New keys
 * are written with `If-None-Match: *` (S3 conditional writes), so a stored object is never
 * overwritten (servers that answer 501 to it get plain PUTs: the keys are content-addressed, so an
 * overwrite writes the same bytes). Nothing is buffered whole: files stream from disk, downloads
 * stream to disk.
 *
 * materialize() downloads into `<cacheDir>/sha256/<2>/<hex>` (the local store's layout), verifying
 * every byte against its digest and renaming complete downloads into place; later calls, from any
 * store instance sharing the cache directory, reuse the cached copy without asking the bucket.
 * Cached files are read-only (0o444). The cache is never evicted by this class.
 */
import { artifactSource, isCode, pathExists } from './fsErrors';
import { createHash, randomBytes, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { chmod, copyFile, lstat, mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { pipeline, Readable, Transform } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
  type CompletedPart,
  type GetObjectCommandOutput,
} from '@aws-sdk/client-s3';
import { NonRetryableError } from '../../../dsl';
import type { ArtifactStore, StoredArtifact } from './ArtifactStore';
import { ArtifactCorruptedError, ArtifactStoreConfigError } from './errors';
import {
  ArtifactNotFoundError,
  hashFile,
  InvalidArtifactUriError,
  listFiles,
  MANIFEST_HEADER,
  manifestText,
  type ManifestEntry,
} from './LocalArtifactStore';
import { isChecksumMismatch, isPreconditionFailed, nameOf, s3Error, statusOf } from './s3Errors';

const MiB = 1024 * 1024;
/** S3's smallest part (all but the last part of a multipart upload). */
const MIN_PART_SIZE = 5 * MiB;
/** S3's largest part count. */
const MAX_PARTS = 10_000;
const HEX64 = /^[0-9a-f]{64}$/;
/** Object metadata that marks a directory manifest (`x-amz-meta-sluice-kind`). */
const KIND_METADATA = 'sluice-kind';
/** Bucket names S3, MinIO and s3rver all accept (lowercase DNS-style). */
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
/** Prefix segments kept to characters that need no escaping in keys or URIs. */
const PREFIX_SEGMENT = /^[A-Za-z0-9._-]+$/;

export interface S3Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface S3ArtifactStoreOptions {
  bucket: string;
  /** Key prefix inside the bucket (`a/b`, no leading or trailing slash needed; default none). */
  prefix?: string;
  /** Local directory for materialized artifacts (created on demand). */
  cacheDir: string;
  /** S3-compatible endpoint, e.g. `http://minio:9000`; omit for AWS S3. */
  endpoint?: string;
  /** Default `us-east-1` (MinIO ignores it; AWS redirects are followed). */
  region?: string;
  /** Static credentials; omit to use the AWS SDK's default chain (env, profile, instance role). */
  credentials?: S3Credentials;
  /** Path-style URLs (`endpoint/bucket/key`), which MinIO needs; default: true when an endpoint is set. */
  forcePathStyle?: boolean;
  /** Files at least this big are sent as multipart uploads (default 64 MiB). */
  multipartThreshold?: number;
  /** Multipart part size (default 16 MiB, at least 5 MiB; grown when a file would need more than 10,000 parts). */
  partSize?: number;
  /** Parallel transfers when storing or materializing a directory (default 8). */
  concurrency?: number;
  /** Attempts per request, the SDK's own retries included (default 3). */
  maxAttempts?: number;
  /** A ready client (tests); the other connection options are then ignored. */
  client?: S3Client;
}

/** `s3://bucket/prefix` → bucket and prefix; throws ArtifactStoreConfigError when malformed. */
export function parseS3Root(root: string): { bucket: string; prefix: string } {
  const m = /^s3:\/\/([^/]*)(?:\/(.*))?$/i.exec(root.trim());
  if (!m) throw new ArtifactStoreConfigError(`artifact store "${root}" is not an s3://bucket/prefix root`);
  const bucket = m[1] ?? '';
  const prefix = normalizePrefix(m[2] ?? '', root);
  checkBucket(bucket, root);
  return { bucket, prefix };
}

function checkBucket(bucket: string, where: string): void {
  if (!BUCKET_NAME.test(bucket) || bucket.includes('..')) {
    throw new ArtifactStoreConfigError(
      `artifact store "${where}": "${bucket}" is not a valid bucket name ` +
        '(3 to 63 characters: lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit)',
    );
  }
}

function normalizePrefix(prefix: string, where: string): string {
  const trimmed = prefix.replace(/^\/+|\/+$/g, '');
  if (trimmed === '') return '';
  for (const segment of trimmed.split('/')) {
    if (!PREFIX_SEGMENT.test(segment) || segment === '.' || segment === '..') {
      throw new ArtifactStoreConfigError(
        `artifact store "${where}": key prefix "${prefix}" must be "/"-separated segments of letters, digits, ".", "_" and "-" ` +
          '(no empty, "." or ".." segments)',
      );
    }
  }
  return trimmed;
}

interface HeadResult {
  size: number;
  directory: boolean;
}

export class S3ArtifactStore implements ArtifactStore {
  readonly bucket: string;
  /** Normalized key prefix without slashes at either end ('' for the bucket's root). */
  readonly prefix: string;
  readonly cacheDir: string;
  readonly endpoint: string | undefined;
  readonly description: string;
  private readonly client: S3Client;
  private readonly ownsClient: boolean;
  private readonly keyPrefix: string;
  private readonly uriBase: string;
  private readonly multipartThreshold: number;
  private readonly partSize: number;
  private readonly concurrency: number;
  /** Downloads in progress in this process, by digest: concurrent materialize() calls share one. */
  private readonly inFlight = new Map<string, Promise<string>>();
  /** Whether to send `If-None-Match: *`; turned off when the server answers 501 to it. */
  private conditionalWrites = true;

  constructor(options: S3ArtifactStoreOptions) {
    checkBucket(options.bucket, `s3://${options.bucket}`);
    this.bucket = options.bucket;
    this.prefix = normalizePrefix(options.prefix ?? '', `s3://${options.bucket}/${options.prefix ?? ''}`);
    this.keyPrefix = this.prefix === '' ? '' : `${this.prefix}/`;
    this.uriBase = `s3://${this.bucket}/${this.keyPrefix}sha256/`;
    this.cacheDir = resolve(options.cacheDir);
    this.endpoint = options.endpoint;
    this.multipartThreshold = options.multipartThreshold ?? 64 * MiB;
    this.partSize = options.partSize ?? 16 * MiB;
    this.concurrency = options.concurrency ?? 8;
    if (!Number.isInteger(this.partSize) || this.partSize < MIN_PART_SIZE) {
      throw new ArtifactStoreConfigError(`S3 part size must be an integer of at least ${MIN_PART_SIZE} bytes (S3's minimum), got ${this.partSize}`);
    }
    if (!Number.isInteger(this.concurrency) || this.concurrency < 1) {
      throw new ArtifactStoreConfigError(`S3 transfer concurrency must be a positive integer, got ${this.concurrency}`);
    }
    const where = options.endpoint ?? `AWS S3 (${options.region ?? 'us-east-1'})`;
    this.description = `S3 store s3://${this.bucket}/${this.prefix} at ${where}`;
    if (options.client) {
      this.client = options.client;
      this.ownsClient = false;
    } else {
      this.client = new S3Client({
        region: options.region ?? 'us-east-1',
        ...(options.endpoint !== undefined ? { endpoint: options.endpoint } : {}),
        forcePathStyle: options.forcePathStyle ?? options.endpoint !== undefined,
        ...(options.credentials !== undefined ? { credentials: options.credentials } : {}),
        maxAttempts: options.maxAttempts ?? 3,
        followRegionRedirects: true,
        // Integrity is ours (sha256 of every byte, both ways), so the SDK's default CRC32 trailers
        // (aws-chunked uploads), which several S3-compatible servers do not understand, stay off.
        requestChecksumCalculation: 'WHEN_REQUIRED',
        responseChecksumValidation: 'WHEN_REQUIRED',
        requestHandler: { connectionTimeout: 10_000 },
      });
      this.ownsClient = true;
    }
  }

  /**
   * Checks that the bucket exists and the credentials are accepted (HeadBucket, which needs
   * s3:ListBucket). openArtifactStore() calls it so that a misconfigured process fails at start-up.
   */
  async checkAccess(): Promise<void> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
    } catch (err) {
      if (statusOf(err) === 404) {
        throw new ArtifactStoreConfigError(
          `bucket "${this.bucket}" does not exist at ${this.endpoint ?? 'AWS S3'} (${this.description}); ` +
            'create it (the docker-compose stack runs a createbuckets service) or fix SLUICE_ARTIFACTS',
        );
      }
      throw this.wrap(err, 'HeadBucket', `s3://${this.bucket}`);
    }
  }

  /** Releases the client's sockets (only a client this store created). */
  close(): void {
    if (this.ownsClient) this.client.destroy();
  }

  async put(localPath: string): Promise<StoredArtifact> {
    const { source, kind } = await artifactSource(localPath);
    return kind === 'file' ? this.putFile(source) : this.putDirectory(source);
  }

  async materialize(uri: string): Promise<string> {
    const { key, hex } = this.locate(uri);
    const running = this.inFlight.get(hex);
    if (running) return running;
    const job = this.download(uri, key, hex).finally(() => this.inFlight.delete(hex));
    this.inFlight.set(hex, job);
    return job;
  }

  async exists(uri: string): Promise<boolean> {
    return (await this.head(this.locate(uri).key)) !== undefined;
  }

  async read(uri: string): Promise<Uint8Array> {
    this.locate(uri);
    if (uri.endsWith('/')) {
      throw new InvalidArtifactUriError(`artifact ${uri} is a directory; materialize it and read its files instead`);
    }
    const path = await this.materialize(uri);
    if ((await stat(path)).isDirectory()) {
      throw new InvalidArtifactUriError(`artifact ${uri} is a directory; materialize it and read its files instead`);
    }
    const buf = await readFile(path);
    return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  // --- layout -----------------------------------------------------------------------------------

  /** The object key and digest a URI names; throws for URIs that cannot belong to this store. */
  private locate(uri: string): { key: string; hex: string } {
    const rest = typeof uri === 'string' && uri.startsWith(this.uriBase) ? uri.slice(this.uriBase.length) : undefined;
    const m = rest === undefined ? null : /^([0-9a-f]{2})\/([0-9a-f]{64})\/?$/.exec(rest);
    const hex = m?.[2];
    if (!m || hex === undefined || hex.slice(0, 2) !== m[1]) {
      throw new InvalidArtifactUriError(
        `"${uri}" is not an artifact URI of ${this.description} (expected ${this.uriBase}<2 hex>/<64 hex>); ` +
          'was it written by another store, bucket or prefix?',
      );
    }
    return { key: this.keyOf(hex), hex };
  }

  private keyOf(hex: string): string {
    return `${this.keyPrefix}sha256/${hex.slice(0, 2)}/${hex}`;
  }

  private objectUri(key: string): string {
    return `s3://${this.bucket}/${key}`;
  }

  private cachePath(hex: string): string {
    return join(this.cacheDir, 'sha256', hex.slice(0, 2), hex);
  }

  private async tempPath(hex: string): Promise<string> {
    const dir = join(this.cacheDir, 'tmp');
    await mkdir(dir, { recursive: true });
    return join(dir, `${hex.slice(0, 16)}.${process.pid}.${randomBytes(6).toString('hex')}.partial`);
  }

  // --- put --------------------------------------------------------------------------------------

  private async putFile(source: string): Promise<StoredArtifact> {
    // Hash first: content that is already stored (a cache hit, a re-run) is then never sent.
    const { sha256, size } = await hashFile(source);
    const key = this.keyOf(sha256);
    const stored: StoredArtifact = { uri: this.objectUri(key), sha256, size, directory: false };
    const existing = await this.head(key);
    if (existing?.directory) throw this.collision(key, 'file');
    if (existing?.size === size) return stored;
    // Absent, or present with the wrong length (damaged): upload; a damaged object is replaced.
    await this.uploadFile(source, sha256, size, existing !== undefined);
    return stored;
  }

  private async putDirectory(source: string): Promise<StoredArtifact> {
    const entries = await listFiles(source);
    for (const e of entries) {
      if (/[\t\n\r]/.test(e.relPath)) {
        throw new NonRetryableError(
          `cannot store directory ${source}: the file name ${JSON.stringify(e.relPath)} contains a tab or line break, ` +
            'which the directory manifest cannot represent; rename the file',
        );
      }
    }
    await forEachLimit(entries, this.concurrency, async (e) => {
      Object.assign(e, await hashFile(e.absPath));
    });
    const manifest = manifestText(entries);
    const sha256 = createHash('sha256').update(manifest, 'utf8').digest('hex');
    const size = entries.reduce((sum, e) => sum + e.size, 0);
    const key = this.keyOf(sha256);
    const stored: StoredArtifact = { uri: `${this.objectUri(key)}/`, sha256, size, directory: true };
    const existing = await this.head(key);
    if (existing?.directory) return stored;
    if (existing) throw this.collision(key, 'directory');

    // Every file first, then the manifest: the directory is visible only once it is complete.
    await forEachLimit(entries, this.concurrency, (e) => this.putMember(e));
    await this.putManifest(key, manifest, sha256);
    return stored;
  }

  /** Stores one file of a directory under its own digest, unless those bytes are already there. */
  private async putMember(e: ManifestEntry): Promise<void> {
    const existing = await this.head(this.keyOf(e.sha256));
    // Any object with this digest holds these bytes (even a manifest that happens to be equal).
    if (existing?.size === e.size) return;
    await this.uploadFile(e.absPath, e.sha256, e.size, existing !== undefined);
  }

  private async putManifest(key: string, manifest: string, sha256: string): Promise<void> {
    const body = Buffer.from(manifest, 'utf8');
    for (;;) {
      const conditional = this.conditionalWrites;
      try {
        await this.client.send(
          new PutObjectCommand({
            Bucket: this.bucket,
            Key: key,
            Body: body,
            ContentLength: body.length,
            ContentType: 'text/plain; charset=utf-8',
            ChecksumSHA256: hexToBase64(sha256),
            Metadata: { [KIND_METADATA]: 'directory' },
            ...(conditional ? { IfNoneMatch: '*' } : {}),
          }),
        );
        return;
      } catch (err) {
        if (this.conditionalUnsupported(err, conditional)) continue;
        if (!isPreconditionFailed(err)) throw this.wrap(err, 'PutObject', this.objectUri(key));
        // Stored meanwhile by another writer: fine if it is this directory, a collision otherwise.
        if (!(await this.head(key))?.directory) throw this.collision(key, 'directory');
        return;
      }
    }
  }

  /**
   * True (and conditional writes off from now on) when the server refused `If-None-Match` as not
   * implemented: the caller then writes without it, which is safe for content-addressed keys (an
   * overwrite writes the same bytes), only no longer race-free for a file/directory digest collision.
   */
  private conditionalUnsupported(err: unknown, conditional: boolean): boolean {
    if (!conditional || !(statusOf(err) === 501 || nameOf(err) === 'NotImplemented')) return false;
    this.conditionalWrites = false;
    return true;
  }

  /**
   * Uploads `size` bytes of `source`, which must hash to `sha256`, to that digest's key. `replace`:
   * an object is there already (damaged) and may be overwritten; otherwise the write is conditional.
   */
  private async uploadFile(source: string, sha256: string, size: number, replace: boolean): Promise<void> {
    const key = this.keyOf(sha256);
    if (size >= this.multipartThreshold) return this.uploadMultipart(source, key, sha256, size, replace);
    for (let attempt = 1; ; attempt++) {
      const conditional = !replace && this.conditionalWrites;
      const hash = createHash('sha256');
      const body = hashedFileStream(source, hash);
      try {
        await this.client.send(
          new PutObjectCommand({
            Bucket: this.bucket,
            Key: key,
            Body: body,
            ContentLength: size,
            ContentType: 'application/octet-stream',
            // S3 and MinIO verify it and refuse the PUT (nothing stored) when the bytes differ.
            ChecksumSHA256: hexToBase64(sha256),
            ...(conditional ? { IfNoneMatch: '*' } : {}),
          }),
        );
      } catch (err) {
        body.destroy();
        // Another writer stored this key first; same key, same bytes.
        if (isPreconditionFailed(err)) return;
        if (this.conditionalUnsupported(err, conditional)) continue;
        // A conditional write raced another one in flight (S3 answers 409): try again.
        if (nameOf(err) === 'ConditionalRequestConflict' && attempt < 3) continue;
        if (isChecksumMismatch(err)) throw changedWhileStoring(source, sha256, 'the server');
        throw this.wrap(err, 'PutObject', this.objectUri(key));
      }
      const sent = hash.digest('hex');
      if (sent !== sha256) {
        // A server that ignores x-amz-checksum-sha256 stored the wrong bytes: take them away again.
        if (!replace) await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key })).catch(() => undefined);
        throw changedWhileStoring(source, sha256, sent);
      }
      return;
    }
  }

  /** Multipart upload, parts sent in order while hashing; completed only when the hash matches. */
  private async uploadMultipart(source: string, key: string, sha256: string, size: number, replace: boolean): Promise<void> {
    const where = this.objectUri(key);
    const partSize = Math.max(this.partSize, Math.ceil(size / MAX_PARTS));
    let uploadId: string | undefined;
    try {
      const created = await this.client.send(
        new CreateMultipartUploadCommand({ Bucket: this.bucket, Key: key, ContentType: 'application/octet-stream' }),
      );
      uploadId = created.UploadId;
      if (!uploadId) throw new Error('the server returned no UploadId');
    } catch (err) {
      throw this.wrap(err, 'CreateMultipartUpload', where);
    }
    const abort = async (): Promise<void> => {
      await this.client
        .send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: key, UploadId: uploadId }))
        .catch(() => undefined); // best effort; a bucket lifecycle rule should expire leftovers
    };
    const hash = createHash('sha256');
    const parts: CompletedPart[] = [];
    try {
      for (let start = 0, partNumber = 1; start < size; start += partSize, partNumber++) {
        const end = Math.min(size, start + partSize);
        const body = hashedFileStream(source, hash, start, end - 1);
        try {
          const res = await this.client.send(
            new UploadPartCommand({
              Bucket: this.bucket,
              Key: key,
              UploadId: uploadId,
              PartNumber: partNumber,
              Body: body,
              ContentLength: end - start,
            }),
          );
          parts.push({ ETag: res.ETag, PartNumber: partNumber });
        } catch (err) {
          body.destroy();
          throw this.wrap(err, `UploadPart ${partNumber}`, where);
        }
      }
      const sent = hash.digest('hex');
      if (sent !== sha256) throw changedWhileStoring(source, sha256, sent);
    } catch (err) {
      await abort();
      throw err;
    }
    for (;;) {
      const conditional = !replace && this.conditionalWrites;
      try {
        await this.client.send(
          new CompleteMultipartUploadCommand({
            Bucket: this.bucket,
            Key: key,
            UploadId: uploadId,
            MultipartUpload: { Parts: parts },
            ...(conditional ? { IfNoneMatch: '*' } : {}),
          }),
        );
        return;
      } catch (err) {
        if (this.conditionalUnsupported(err, conditional)) continue;
        await abort();
        if (isPreconditionFailed(err)) return; // stored meanwhile by another writer
        throw this.wrap(err, 'CompleteMultipartUpload', where);
      }
    }
  }

  private collision(key: string, wanted: 'file' | 'directory'): Error {
    // Only possible if a file's bytes are exactly a directory manifest; refuse rather than overwrite.
    return new NonRetryableError(
      `cannot store a ${wanted} at ${this.objectUri(key)}: a ${wanted === 'file' ? 'directory' : 'file'} with the same digest is stored there`,
    );
  }

  // --- materialize ------------------------------------------------------------------------------

  private async download(uri: string, key: string, hex: string): Promise<string> {
    const target = this.cachePath(hex);
    if (await pathExists(target)) return target; // complete: only whole, verified downloads are renamed there

    const res = await this.getObject(key, () =>
      new ArtifactNotFoundError(
        `artifact ${uri} is not in ${this.description}: object ${this.objectUri(key)} does not exist; ` +
          'was it deleted, or written to another bucket or prefix?',
      ),
    );
    const body = bodyStream(res);
    const directory = res.Metadata?.[KIND_METADATA] === 'directory';
    await mkdir(dirname(target), { recursive: true });
    const tmp = await this.tempPath(hex);
    try {
      if (directory) {
        const manifest = await this.readManifest(body, key, hex);
        const entries = parseManifest(manifest, () => this.corrupted(key, 'its directory manifest is malformed'));
        await mkdir(tmp);
        await forEachLimit(entries, this.concurrency, (e) => this.downloadMember(uri, e, tmp));
      } else {
        await this.streamToFile(body, tmp, key, hex, res.ContentLength);
      }
      await rename(tmp, target);
    } catch (err) {
      body.destroy();
      await rm(tmp, { recursive: true, force: true });
      // A concurrent materialize (another process sharing the cache) won the rename: same content.
      if (directory && isCode(err, 'ENOTEMPTY', 'EEXIST') && (await lstat(target).catch(() => undefined))?.isDirectory()) return target;
      throw err;
    }
    return target;
  }

  private async downloadMember(uri: string, e: { relPath: string; sha256: string; size: number }, dir: string): Promise<void> {
    const dest = join(dir, ...e.relPath.split('/'));
    await mkdir(dirname(dest), { recursive: true });
    const cached = this.cachePath(e.sha256);
    if ((await lstat(cached).catch(() => undefined))?.isFile()) {
      // The same bytes were materialized as a file artifact: copy them instead of downloading.
      await copyFile(cached, dest);
      await chmod(dest, 0o444);
      return;
    }
    const key = this.keyOf(e.sha256);
    const res = await this.getObject(key, () =>
      new ArtifactNotFoundError(
        `directory artifact ${uri} lists ${JSON.stringify(e.relPath)} (sha256 ${e.sha256}), but its object ` +
          `${this.objectUri(key)} does not exist in ${this.description}; the directory cannot be materialized ` +
          '(was the object deleted?); store the directory again',
      ),
    );
    await this.streamToFile(bodyStream(res), dest, key, e.sha256, e.size);
  }

  private async getObject(key: string, notFound: () => Error): Promise<GetObjectCommandOutput> {
    try {
      return await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
    } catch (err) {
      if (nameOf(err) === 'NoSuchKey' || (statusOf(err) === 404 && nameOf(err) !== 'NoSuchBucket')) throw notFound();
      throw this.wrap(err, 'GetObject', this.objectUri(key));
    }
  }

  /** Writes a download to a new file `dest`, hashing it; refuses bytes that do not match `hex`. */
  private async streamToFile(body: Readable, dest: string, key: string, hex: string, expectedSize: number | undefined): Promise<void> {
    const hash = createHash('sha256');
    let size = 0;
    const out = await open(dest, 'wx', 0o644);
    try {
      try {
        for await (const chunk of body) {
          const buf = chunk as Buffer;
          hash.update(buf);
          size += buf.length;
          await out.write(buf);
        }
      } catch (err) {
        throw this.wrap(err, 'GetObject (reading the body)', this.objectUri(key));
      }
      await out.sync();
    } finally {
      await out.close();
    }
    const actual = hash.digest('hex');
    if (actual !== hex || (expectedSize !== undefined && size !== expectedSize)) {
      await rm(dest, { force: true });
      throw this.corrupted(key, `its ${size} bytes hash to sha256 ${actual}` + (expectedSize !== undefined && size !== expectedSize ? ` (expected ${expectedSize} bytes)` : ''));
    }
    await chmod(dest, 0o444);
  }

  private async readManifest(body: Readable, key: string, hex: string): Promise<string> {
    const chunks: Buffer[] = [];
    try {
      for await (const chunk of body) chunks.push(chunk as Buffer);
    } catch (err) {
      throw this.wrap(err, 'GetObject (reading the body)', this.objectUri(key));
    }
    const bytes = Buffer.concat(chunks);
    const actual = createHash('sha256').update(bytes).digest('hex');
    if (actual !== hex) throw this.corrupted(key, `its directory manifest hashes to sha256 ${actual}`);
    return bytes.toString('utf8');
  }

  private corrupted(key: string, what: string): ArtifactCorruptedError {
    return new ArtifactCorruptedError(
      `object ${this.objectUri(key)} in ${this.description} is corrupted: ${what}, not to the sha256 its key names; ` +
        'nothing was materialized. Delete the object and store the artifact again (or restore it from a backup)',
    );
  }

  // --- requests ---------------------------------------------------------------------------------

  private async head(key: string): Promise<HeadResult | undefined> {
    try {
      const res = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return { size: res.ContentLength ?? 0, directory: res.Metadata?.[KIND_METADATA] === 'directory' };
    } catch (err) {
      if (statusOf(err) === 404) return undefined;
      throw this.wrap(err, 'HeadObject', this.objectUri(key));
    }
  }

  /** Turns an SDK or network error into one that says what failed, where, and what to do. */
  private wrap(err: unknown, operation: string, where: string): Error {
    return s3Error(err, { operation, where, server: this.endpoint ?? 'AWS S3', store: this.description, bucket: this.bucket });
  }
}

/** A readable stream of `source` (or its bytes start..end inclusive) that feeds `hash` as it is read. */
function hashedFileStream(source: string, hash: Hash, start?: number, end?: number): Readable {
  const tap = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      callback(null, chunk);
    },
  });
  const file = createReadStream(source, start === undefined ? {} : { start, end });
  // Errors on either side destroy both; the SDK then sees the failed body.
  return pipeline(file, tap, () => undefined);
}

function bodyStream(res: GetObjectCommandOutput): Readable {
  // In Node the SDK returns the HTTP response itself (an IncomingMessage), a Readable.
  if (res.Body instanceof Readable) return res.Body;
  throw new Error('the S3 client returned a response body that is not a Node.js stream');
}

/** Parses a directory manifest (already verified against its digest); `bad()` makes the error. */
function parseManifest(text: string, bad: () => Error): { relPath: string; sha256: string; size: number }[] {
  if (!text.startsWith(MANIFEST_HEADER) || !text.endsWith('\n')) throw bad();
  const body = text.slice(MANIFEST_HEADER.length);
  if (body === '') return [];
  return body
    .slice(0, -1)
    .split('\n')
    .map((line) => {
      const [relPath, sha256, size, extra] = line.split('\t');
      const segments = relPath?.split('/') ?? [];
      if (
        relPath === undefined ||
        sha256 === undefined ||
        size === undefined ||
        extra !== undefined ||
        !HEX64.test(sha256) ||
        !/^\d+$/.test(size) ||
        segments.some((s) => s === '' || s === '.' || s === '..')
      ) {
        throw bad();
      }
      return { relPath, sha256, size: Number(size) };
    });
}

/** Runs `fn` over `items`, at most `limit` at a time; rejects with the first failure (after the rest settle). */
async function forEachLimit<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: { err: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (failure === undefined && next < items.length) {
      const item = items[next++] as T;
      try {
        await fn(item);
      } catch (err) {
        failure ??= { err };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure) throw failure.err;
}

function changedWhileStoring(source: string, expected: string, actual: string): Error {
  return new Error(
    `${source} changed while it was being stored (sha256 ${expected}, then ${actual === 'the server' ? 'the server saw other bytes' : actual}); ` +
      'nothing was stored under its digest; retry when it is complete',
  );
}

function hexToBase64(hex: string): string {
  return Buffer.from(hex, 'hex').toString('base64');
}

