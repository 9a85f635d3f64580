import { createHash } from 'node:crypto';
import { lstat, mkdir, mkdtemp, readdir, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { describeArtifactStoreContract } from './artifactStore.contract';
import { ArtifactStoreConfigError, InvalidArtifactUriError, LocalArtifactStore, manifestText, openArtifactStore } from './index';

// Simulates a crash between writing the temp copy and renaming it into place.
const crash = vi.hoisted(() => ({ onRename: false }));
vi.mock('node:fs/promises', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs/promises')>();
  return {
    ...real,
    rename: async (from: string, to: string) => {
      if (crash.onRename) throw new Error('simulated crash before rename');
      return real.rename(from, to);
    },
  };
});

const temps: string[] = [];
async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `sluice-${prefix}-`));
  temps.push(dir);
  return dir;
}
afterAll(async () => {
  await Promise.all(temps.map((d) => rm(d, { recursive: true, force: true })));
});

describeArtifactStoreContract('LocalArtifactStore', async () => new LocalArtifactStore({ root: await tempDir('store') }));

describe('LocalArtifactStore', () => {
  let root: string;
  let src: string;
  let store: LocalArtifactStore;
  beforeAll(async () => {
    root = await tempDir('local-root');
    src = await tempDir('local-src');
    store = new LocalArtifactStore({ root });
  });
  afterEach(() => {
    crash.onRename = false;
  });

  const sha = (s: string): string => createHash('sha256').update(s).digest('hex');

  it('lays files out as <root>/sha256/<2 hex>/<hex> with file:// URIs', async () => {
    await writeFile(join(src, 'layout.txt'), 'layout');
    const stored = await store.put(join(src, 'layout.txt'));
    const hex = sha('layout');
    const expected = join(root, 'sha256', hex.slice(0, 2), hex);
    expect(stored.uri).toBe(pathToFileURL(expected).href);
    expect(await store.materialize(stored.uri)).toBe(expected);
  });

  it('lays directories out as <root>/sha256/<2 hex>/<hex>/ (URI with a trailing slash)', async () => {
    const dir = join(src, 'layout-dir');
    await mkdir(dir);
    await writeFile(join(dir, 'f.txt'), 'f');
    const stored = await store.put(dir);
    const expected = join(root, 'sha256', stored.sha256.slice(0, 2), stored.sha256);
    expect(stored.uri).toBe(`${pathToFileURL(expected).href}/`);
    expect(await store.materialize(stored.uri)).toBe(expected);
    expect(await store.materialize(stored.uri.slice(0, -1))).toBe(expected);
  });

  it('defaults to .sluice/artifacts under the current directory', () => {
    expect(new LocalArtifactStore().root).toBe(resolve('.sluice/artifacts'));
    expect(new LocalArtifactStore().description).toBe(`local directory ${resolve('.sluice/artifacts')}`);
  });

  it('makes stored files read-only, in file and directory artifacts', async () => {
    await writeFile(join(src, 'ro.txt'), 'read only');
    const path = await store.materialize((await store.put(join(src, 'ro.txt'))).uri);
    expect((await stat(path)).mode & 0o777).toBe(0o444);

    const dir = join(src, 'ro-dir');
    await mkdir(join(dir, 'sub'), { recursive: true });
    await writeFile(join(dir, 'sub', 'inner.txt'), 'inner');
    const dirPath = await store.materialize((await store.put(dir)).uri);
    expect((await stat(join(dirPath, 'sub', 'inner.txt'))).mode & 0o777).toBe(0o444);
  });

  it('leaves no temp files behind after storing', async () => {
    await writeFile(join(src, 'tmp-check.txt'), 'tmp check');
    await store.put(join(src, 'tmp-check.txt'));
    const dir = join(src, 'tmp-check-dir');
    await mkdir(dir);
    await writeFile(join(dir, 'a'), 'a');
    await store.put(dir);
    expect(await readdir(join(root, 'tmp'))).toEqual([]);
  });

  it('never leaves a half-written blob under its final name when a put is interrupted', async () => {
    await writeFile(join(src, 'crash.txt'), 'crash me');
    crash.onRename = true;
    await expect(store.put(join(src, 'crash.txt'))).rejects.toThrow(/simulated crash/);
    const hex = sha('crash me');
    await expect(lstat(join(root, 'sha256', hex.slice(0, 2), hex))).rejects.toThrow(/ENOENT/);
    expect(await readdir(join(root, 'tmp'))).toEqual([]);

    const dir = join(src, 'crash-dir');
    await mkdir(dir);
    await writeFile(join(dir, 'a'), 'crash dir');
    await expect(store.put(dir)).rejects.toThrow(/simulated crash/);
    expect(await readdir(join(root, 'tmp'))).toEqual([]);

    crash.onRename = false;
    const stored = await store.put(join(src, 'crash.txt'));
    expect(new TextDecoder().decode(await store.read(stored.uri))).toBe('crash me');
  });

  it('does not rewrite content that is already stored', async () => {
    await writeFile(join(src, 'twice.txt'), 'twice');
    const first = await store.put(join(src, 'twice.txt'));
    const before = await stat(await store.materialize(first.uri));
    crash.onRename = true; // a second put that tried to write would fail
    expect(await store.put(join(src, 'twice.txt'))).toEqual(first);
    expect((await stat(await store.materialize(first.uri))).mtimeMs).toBe(before.mtimeMs);
  });

  it('accepts its own materialized path as a source (a no-op)', async () => {
    await writeFile(join(src, 'self.txt'), 'self');
    const stored = await store.put(join(src, 'self.txt'));
    expect(await store.put(await store.materialize(stored.uri))).toEqual(stored);
  });

  it('rejects URIs outside its root with a clear error', async () => {
    await writeFile(join(src, 'outside.txt'), 'outside');
    const stored = await store.put(join(src, 'outside.txt'));
    const other = new LocalArtifactStore({ root: await tempDir('other-root') });
    await expect(other.materialize(stored.uri)).rejects.toThrow(InvalidArtifactUriError);
    await expect(other.materialize(stored.uri)).rejects.toThrow(/outside local directory/);
    const escape = `${pathToFileURL(join(root, 'sha256')).href}/../../${'a'.repeat(64)}`;
    await expect(store.materialize(escape)).rejects.toThrow(InvalidArtifactUriError);
    const wrongPrefix = pathToFileURL(join(root, 'sha256', 'zz', stored.sha256)).href;
    await expect(store.materialize(wrongPrefix)).rejects.toThrow(InvalidArtifactUriError);
    await expect(store.materialize(`s3://bucket/sha256/${stored.sha256.slice(0, 2)}/${stored.sha256}`)).rejects.toThrow(
      /not a file:\/\/ artifact URI/,
    );
  });

  it('refuses a file whose bytes are exactly the manifest of a stored directory', async () => {
    const dir = join(src, 'manifest-dir');
    await mkdir(dir);
    await writeFile(join(dir, 'a'), 'a');
    await store.put(dir);
    await writeFile(join(src, 'manifest.txt'), manifestText([{ relPath: 'a', sha256: sha('a'), size: 1 }]));
    await expect(store.put(join(src, 'manifest.txt'))).rejects.toThrow(/a directory with the same digest is stored there/);
  });

  it('refuses directories that contain symbolic links', async () => {
    const dir = join(src, 'with-link');
    await mkdir(dir);
    await writeFile(join(dir, 'real.txt'), 'real');
    await symlink(join(dir, 'real.txt'), join(dir, 'link.txt'));
    await expect(store.put(dir)).rejects.toThrow(/link\.txt.*symlinks are not supported/);
  });
});

describe('openArtifactStore', () => {
  const rootOf = async (root?: string): Promise<string> => {
    const store = await openArtifactStore(root === undefined ? {} : { root });
    expect(store).toBeInstanceOf(LocalArtifactStore);
    return (store as LocalArtifactStore).root;
  };

  it('opens the local store at .sluice/artifacts by default', async () => {
    expect(await rootOf()).toBe(resolve('.sluice/artifacts'));
    expect(await rootOf('  ')).toBe(resolve('.sluice/artifacts'));
  });

  it('opens a local store at a path or a file:// URL', async () => {
    expect(await rootOf('/tmp/x/store')).toBe('/tmp/x/store');
    expect(await rootOf('file:///tmp/y/store')).toBe('/tmp/y/store');
  });

  it('leaves s3:// roots to the S3 store (tested in S3ArtifactStore.test.ts)', async () => {
    const store = await openArtifactStore({ root: 's3://bucket/prefix', env: {}, verify: false });
    expect(store).not.toBeInstanceOf(LocalArtifactStore);
    await expect(openArtifactStore({ root: 's3://Bad_Bucket/x', env: {}, verify: false })).rejects.toThrow(ArtifactStoreConfigError);
  });

  it('rejects unknown schemes', async () => {
    await expect(openArtifactStore({ root: 'gs://bucket' })).rejects.toThrow(/unknown scheme "gs:\/\/"/);
  });
});
