/**
 * The contract every ArtifactStore implementation must keep. Each implementation's test file
 * calls `describeArtifactStoreContract` with a factory for a fresh, empty store.
 *
 * Assumes the common key layout `sha256/<first 2 hex>/<hex>` in URIs (to forge a well-formed URI
 * of content that was never stored).
 */
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ArtifactStore } from './ArtifactStore';
import { ArtifactNotFoundError, InvalidArtifactUriError, MANIFEST_HEADER } from './index';

const sha256 = (data: string | Uint8Array): string => createHash('sha256').update(data).digest('hex');

/** Writes `files` (relative path → content) under a new directory and returns its path. */
async function writeTree(parent: string, name: string, files: Record<string, string>): Promise<string> {
  const dir = join(parent, name);
  await mkdir(dir, { recursive: true });
  for (const [rel, content] of Object.entries(files)) {
    const path = join(dir, ...rel.split('/'));
    await mkdir(join(path, '..'), { recursive: true });
    await writeFile(path, content);
  }
  return dir;
}

async function readTree(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const walk = async (d: string): Promise<void> => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else out[relative(dir, p).split(sep).join('/')] = await readFile(p, 'utf8');
    }
  };
  await walk(dir);
  return out;
}

/** The URI the store would give to content with digest `other`, derived from a real URI. */
function forgeUri(uri: string, digest: string, other: string): string {
  const forged = uri.replace(`${digest.slice(0, 2)}/${digest}`, `${other.slice(0, 2)}/${other}`);
  if (forged === uri) throw new Error(`contract: cannot find sha256/<2>/<hex> in ${uri}`);
  return forged;
}

export function describeArtifactStoreContract(name: string, make: () => Promise<ArtifactStore>): void {
  describe(`ArtifactStore contract: ${name}`, () => {
    let store: ArtifactStore;
    let src: string;
    let n = 0;
    const file = async (content: string | Uint8Array): Promise<string> => {
      const path = join(src, `file-${n++}`);
      await writeFile(path, content);
      return path;
    };

    beforeAll(async () => {
      store = await make();
      src = await mkdtemp(join(tmpdir(), 'sluice-contract-src-'));
    });
    afterAll(async () => {
      await rm(src, { recursive: true, force: true });
    });

    it('has a description for logs', () => {
      expect(store.description.length).toBeGreaterThan(0);
    });

    it('stores a file under the sha256 of its bytes (as node:crypto computes it)', async () => {
      const bytes = new Uint8Array([0, 1, 2, 250, 255, 10, 13]);
      const stored = await store.put(await file(bytes));
      expect(stored).toMatchObject({ sha256: sha256(bytes), size: bytes.length, directory: false });
      expect(stored.uri).toContain(stored.sha256);
    });

    it('gives the same URI to the same content stored twice, from different paths', async () => {
      const a = await store.put(await file('same content'));
      const b = await store.put(await file('same content'));
      expect(b).toEqual(a);
    });

    it('gives different URIs to different content', async () => {
      const a = await store.put(await file('content A'));
      const b = await store.put(await file('content B'));
      expect(b.uri).not.toBe(a.uri);
      expect(b.sha256).not.toBe(a.sha256);
    });

    it('materializes a file with identical bytes, and reads them back', async () => {
      const bytes = new Uint8Array(200_000).map((_, i) => (i * 31) % 256);
      const stored = await store.put(await file(bytes));
      const path = await store.materialize(stored.uri);
      expect(Buffer.from(await readFile(path)).equals(bytes)).toBe(true);
      const read = await store.read(stored.uri);
      expect(read).toBeInstanceOf(Uint8Array);
      expect(sha256(read)).toBe(stored.sha256);
      expect(read.length).toBe(bytes.length);
    });

    it('stores an empty file', async () => {
      const stored = await store.put(await file(''));
      expect(stored).toMatchObject({ sha256: sha256(''), size: 0, directory: false });
      expect((await store.read(stored.uri)).length).toBe(0);
    });

    it('reports exists() for stored content and not for content never stored', async () => {
      const stored = await store.put(await file('exists?'));
      expect(await store.exists(stored.uri)).toBe(true);
      expect(await store.exists(forgeUri(stored.uri, stored.sha256, sha256('never stored')))).toBe(false);
    });

    it('stores a directory under the sha256 of its manifest', async () => {
      const files = { 'b.txt': 'bee', 'a.txt': 'a', 'sub/dir/c.json': '{"c":3}', 'with space é.txt': 'unicode' };
      const dir = await writeTree(src, 'dir-1', files);
      const stored = await store.put(dir);
      const manifest = MANIFEST_HEADER + Object.keys(files)
        .sort((x, y) => (x < y ? -1 : x > y ? 1 : 0))
        .map((rel) => `${rel}\t${sha256(files[rel as keyof typeof files])}\t${Buffer.byteLength(files[rel as keyof typeof files])}\n`)
        .join('');
      expect(stored).toMatchObject({
        sha256: sha256(manifest),
        size: Object.values(files).reduce((s, c) => s + Buffer.byteLength(c), 0),
        directory: true,
      });
      expect(await store.exists(stored.uri)).toBe(true);
      const path = await store.materialize(stored.uri);
      expect((await stat(path)).isDirectory()).toBe(true);
      expect(await readTree(path)).toEqual(files);
    });

    it('gives the same directory content the same URI, and changed content a new one', async () => {
      const files = { 'x.txt': 'x', 'y/z.txt': 'z' };
      const a = await store.put(await writeTree(src, 'dir-a', files));
      const b = await store.put(await writeTree(src, 'dir-b', files));
      expect(b).toEqual(a);
      const edited = await store.put(await writeTree(src, 'dir-c', { ...files, 'x.txt': 'X' }));
      expect(edited.uri).not.toBe(a.uri);
      const renamed = await store.put(await writeTree(src, 'dir-d', { 'w.txt': 'x', 'y/z.txt': 'z' }));
      expect(renamed.uri).not.toBe(a.uri);
    });

    it('stores an empty directory, apart from the empty file', async () => {
      const emptyFile = await store.put(await file(''));
      const stored = await store.put(await writeTree(src, 'dir-empty', {}));
      expect(stored).toMatchObject({ sha256: sha256(MANIFEST_HEADER), size: 0, directory: true });
      expect(stored.uri).not.toBe(emptyFile.uri);
      expect(await readTree(await store.materialize(stored.uri))).toEqual({});
    });

    it('agrees with itself when the same content is stored concurrently', async () => {
      const paths = await Promise.all([1, 2, 3, 4].map(() => file('raced content')));
      const dirs = await Promise.all([1, 2, 3].map((i) => writeTree(src, `raced-dir-${i}`, { 'f.txt': 'raced' })));
      const stored = await Promise.all([...paths, ...dirs].map((p) => store.put(p)));
      expect(new Set(stored.slice(0, 4).map((s) => s.uri)).size).toBe(1);
      expect(new Set(stored.slice(4).map((s) => s.uri)).size).toBe(1);
      expect(sha256(await store.read(stored[0]!.uri))).toBe(sha256('raced content'));
    });

    it('refuses to read() a directory artifact', async () => {
      const stored = await store.put(await writeTree(src, 'dir-read', { 'f.txt': 'f' }));
      await expect(store.read(stored.uri)).rejects.toThrow(/directory/);
    });

    it('fails clearly for a well-formed URI of content it does not hold', async () => {
      const stored = await store.put(await file('known'));
      const unknown = forgeUri(stored.uri, stored.sha256, sha256('unknown'));
      await expect(store.materialize(unknown)).rejects.toThrow(ArtifactNotFoundError);
      await expect(store.read(unknown)).rejects.toThrow(ArtifactNotFoundError);
    });

    it('rejects URIs that are not artifact URIs of this store', async () => {
      for (const uri of ['not a uri', 'https://example.com/sha256/ab/abc', 'file:///etc/passwd']) {
        await expect(store.materialize(uri)).rejects.toThrow(InvalidArtifactUriError);
        await expect(store.exists(uri)).rejects.toThrow(InvalidArtifactUriError);
        await expect(store.read(uri)).rejects.toThrow(InvalidArtifactUriError);
      }
    });

    it('fails clearly when asked to store a path that does not exist', async () => {
      const missing = join(src, 'no-such-file');
      await expect(store.put(missing)).rejects.toThrow(missing);
    });
  });
}
