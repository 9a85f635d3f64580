/**
 * The local-directory artifact store: content-addressed blobs under `<root>/sha256/`.
 *
 * Layout:
 *   <root>/sha256/<hex[0:2]>/<hex>     a file artifact; hex = sha256 of its bytes
 *   <root>/sha256/<hex[0:2]>/<hex>/    a directory artifact; hex = sha256 of its manifest
 *   <root>/tmp/                        partial writes, renamed into place when complete
 *
 * A directory's manifest is a header line `# sluice directory manifest v1` then one line per file,
 * sorted by relative path (byte order, "/" separators): `relativePath \t fileSha256 \t size`; every
 * line ends in "\n". The header keeps directory digests apart from file digests (without it an empty
 * directory and an empty file would share a digest, hence a path). Empty subdirectories are not
 * part of the content. Stored files are read-only (0o444) because other artifacts and cache hits share them.
 */
import { artifactSource, errorMessage, isCode, pathExists } from './fsErrors';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { chmod, lstat, mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { NonRetryableError } from '../../../dsl';
import type { ArtifactStore, StoredArtifact } from './ArtifactStore';

export const DEFAULT_ARTIFACT_ROOT = '.sluice/artifacts';

/** The URI names no artifact in this store: another store's URI, or a path outside the root. */
export class InvalidArtifactUriError extends NonRetryableError {
  override readonly name: string = 'InvalidArtifactUriError';
  override readonly code: string = 'invalid-artifact-uri';
}

/** The URI is well formed but nothing is stored under it (deleted store, or another machine's). */
export class ArtifactNotFoundError extends NonRetryableError {
  override readonly name: string = 'ArtifactNotFoundError';
  override readonly code: string = 'artifact-not-found';
}

export interface LocalArtifactStoreOptions {
  /** Store directory; relative paths resolve against the current directory. */
  root?: string;
}

const HEX64 = /^[0-9a-f]{64}$/;

export interface ManifestEntry {
  relPath: string;
  absPath: string;
  sha256: string;
  size: number;
}

export class LocalArtifactStore implements ArtifactStore {
  readonly root: string;
  readonly description: string;
  private readonly blobDir: string;
  private readonly tmpDir: string;

  constructor(options: LocalArtifactStoreOptions = {}) {
    this.root = resolve(options.root ?? DEFAULT_ARTIFACT_ROOT);
    this.blobDir = join(this.root, 'sha256');
    // Temp files live inside the root so the final rename never crosses filesystems (atomic).
    this.tmpDir = join(this.root, 'tmp');
    this.description = `local directory ${this.root}`;
  }

  async put(localPath: string): Promise<StoredArtifact> {
    const { source, kind } = await artifactSource(localPath);
    return kind === 'file' ? this.putFile(source) : this.putDirectory(source);
  }

  async materialize(uri: string): Promise<string> {
    const { path } = this.locate(uri);
    if (!(await pathExists(path))) {
      throw new ArtifactNotFoundError(`artifact ${uri} is not in ${this.description}; was the store moved or cleaned?`);
    }
    return path;
  }

  async exists(uri: string): Promise<boolean> {
    return pathExists(this.locate(uri).path);
  }

  async read(uri: string): Promise<Uint8Array> {
    const path = await this.materialize(uri);
    if ((await stat(path)).isDirectory()) {
      throw new InvalidArtifactUriError(`artifact ${uri} is a directory; materialize it and read its files instead`);
    }
    const buf = await readFile(path);
    // A plain Uint8Array (not a Buffer) so callers compare and serialise it like any other store's.
    return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  /** The blob path a URI names; throws for URIs that cannot belong to this store. */
  private locate(uri: string): { path: string; sha256: string } {
    let path: string;
    try {
      const url = new URL(uri);
      if (url.protocol !== 'file:') throw new Error(`scheme ${url.protocol} is not file:`);
      path = fileURLToPath(url);
    } catch (err) {
      throw new InvalidArtifactUriError(`"${uri}" is not a file:// artifact URI of ${this.description} (${errorMessage(err)})`);
    }
    const rel = relative(this.blobDir, path);
    const parts = rel.split(sep).filter((p) => p !== '');
    const [prefix, hex] = parts;
    if (parts.length !== 2 || !prefix || !hex || !HEX64.test(hex) || hex.slice(0, 2) !== prefix || isAbsolute(rel)) {
      throw new InvalidArtifactUriError(
        `"${uri}" is outside ${this.description} (expected file://${this.blobDir}/<2 hex>/<64 hex>); ` +
          'was it written by another store or another root?',
      );
    }
    return { path: join(this.blobDir, prefix, hex), sha256: hex };
  }

  private blobPath(hex: string): string {
    return join(this.blobDir, hex.slice(0, 2), hex);
  }

  private async putFile(source: string): Promise<StoredArtifact> {
    // Hash first: storing content that is already there (a cache hit, a re-run) then copies nothing.
    const { sha256, size } = await hashFile(source);
    const target = this.blobPath(sha256);
    const stored: StoredArtifact = { uri: pathToFileURL(target).href, sha256, size, directory: false };
    const existing = await lstat(target).catch(() => undefined);
    if (existing?.isFile()) return stored;
    if (existing) throw this.collision(target, 'file');

    await mkdir(dirname(target), { recursive: true });
    const tmp = await this.tempPath(sha256);
    try {
      await copyVerified(source, tmp, sha256);
      await rename(tmp, target);
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
    await syncDirectory(dirname(target));
    return stored;
  }

  private async putDirectory(source: string): Promise<StoredArtifact> {
    const entries = await listFiles(source);
    for (const e of entries) Object.assign(e, await hashFile(e.absPath));
    const sha256 = hashText(manifestText(entries));
    const size = entries.reduce((sum, e) => sum + e.size, 0);
    const target = this.blobPath(sha256);
    // A trailing slash tells readers (and people) that the URI names a directory.
    const stored: StoredArtifact = { uri: pathToFileURL(target + sep).href, sha256, size, directory: true };
    const existing = await lstat(target).catch(() => undefined);
    if (existing?.isDirectory()) return stored;
    if (existing) throw this.collision(target, 'directory');

    await mkdir(dirname(target), { recursive: true });
    const tmp = await this.tempPath(sha256);
    try {
      for (const e of entries) {
        const dest = join(tmp, ...e.relPath.split('/'));
        await mkdir(dirname(dest), { recursive: true });
        await copyVerified(e.absPath, dest, e.sha256);
      }
      await mkdir(tmp, { recursive: true }); // an empty directory is a valid (empty) artifact
      await rename(tmp, target);
    } catch (err) {
      await rm(tmp, { recursive: true, force: true });
      // A concurrent put of the same directory won the rename: same content, so that is success.
      if (isCode(err, 'ENOTEMPTY', 'EEXIST') && (await lstat(target).catch(() => undefined))?.isDirectory()) return stored;
      throw err;
    }
    await syncDirectory(dirname(target));
    return stored;
  }

  private async tempPath(hex: string): Promise<string> {
    await mkdir(this.tmpDir, { recursive: true });
    return join(this.tmpDir, `${hex.slice(0, 16)}.${process.pid}.${randomBytes(6).toString('hex')}.partial`);
  }

  private collision(target: string, wanted: 'file' | 'directory'): Error {
    // Only possible if a file's bytes are exactly a directory manifest; refuse rather than overwrite.
    return new NonRetryableError(
      `cannot store a ${wanted} at ${target}: a ${wanted === 'file' ? 'directory' : 'file'} with the same digest is stored there`,
    );
  }
}

export const MANIFEST_HEADER = '# sluice directory manifest v1\n';

/** The manifest text whose sha256 identifies a directory artifact (entries sorted by relPath). */
export function manifestText(entries: ReadonlyArray<{ relPath: string; sha256: string; size: number }>): string {
  return MANIFEST_HEADER + entries.map((e) => `${e.relPath}\t${e.sha256}\t${e.size}\n`).join('');
}

/** Every regular file under `root`, sorted by relative path (byte order); refuses links and special files. */
export async function listFiles(root: string): Promise<ManifestEntry[]> {
  const out: ManifestEntry[] = [];
  const walk = async (dir: string, prefix: string): Promise<void> => {
    for (const d of await readdir(dir, { withFileTypes: true })) {
      const abs = join(dir, d.name);
      const rel = prefix === '' ? d.name : `${prefix}/${d.name}`;
      if (d.isDirectory()) await walk(abs, rel);
      else if (d.isFile()) out.push({ relPath: rel, absPath: abs, sha256: '', size: 0 });
      else {
        // Links could point outside the artifact or loop; the content must be self-contained.
        throw new NonRetryableError(`cannot store directory ${root}: ${abs} is not a regular file or directory (symlinks are not supported)`);
      }
    }
  };
  await walk(root, '');
  // Byte order, not locale order, so every machine computes the same manifest.
  return out.sort((a, b) => (a.relPath < b.relPath ? -1 : a.relPath > b.relPath ? 1 : 0));
}

/** Streams a file through sha256 (never the whole file in memory). */
export async function hashFile(path: string): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(path)) {
    const buf = chunk as Buffer;
    hash.update(buf);
    size += buf.length;
  }
  return { sha256: hash.digest('hex'), size };
}

function hashText(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/**
 * Copies `source` to a new file `dest`, hashing what is written, and fails if the bytes differ
 * from `expected` (the source changed since it was hashed). The copy is fsynced and read-only.
 */
async function copyVerified(source: string, dest: string, expected: string): Promise<void> {
  const hash = createHash('sha256');
  const out = await open(dest, 'wx', 0o644);
  try {
    for await (const chunk of createReadStream(source)) {
      const buf = chunk as Buffer;
      hash.update(buf);
      await out.write(buf);
    }
    // Data on disk before the rename makes it visible: a crash must not leave a truncated blob.
    await out.sync();
  } finally {
    await out.close();
  }
  const actual = hash.digest('hex');
  if (actual !== expected) {
    throw new Error(`${source} changed while it was being stored (sha256 ${expected} then ${actual}); retry when it is complete`);
  }
  await chmod(dest, 0o444);
}

/** Makes a rename durable; best effort because not every platform can fsync a directory. */
async function syncDirectory(dir: string): Promise<void> {
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // The blob is complete either way; only durability across a power loss is weaker.
  }
}

