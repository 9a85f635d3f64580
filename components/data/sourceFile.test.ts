import { mkdir, mkdtemp, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join, relative } from 'node:path';
import { NonRetryableError } from 'sluice/dsl';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cleanupComponentRuns, runComponent } from '../testing/runComponent';
import { loadCsv } from './loadCsv';
import { loadJsonLines } from './loadJsonLines';
import { dataRoots, isInside, readSourceText, SourceFileError, SourceFileOutsideRootsError } from './sourceFile';

const fixture = (name: string): string => join(import.meta.dirname, '..', 'testing', 'fixtures', name);

// root/ is the allowed data root; secret/ beside it holds what a run must not read.
let base: string;
let root: string;
let secret: string;
const savedRoots = process.env.SLUICE_DATA_ROOTS;
const setRoots = (...dirs: string[]): void => {
  process.env.SLUICE_DATA_ROOTS = dirs.join(delimiter);
};

beforeAll(async () => {
  base = await realpath(await mkdtemp(join(tmpdir(), 'sluice-source-file-')));
  root = join(base, 'root');
  secret = join(base, 'secret');
  await mkdir(join(root, 'sub'), { recursive: true });
  await mkdir(secret);
  await writeFile(join(root, 'ok.csv'), 'a,b\n1,2\n');
  await writeFile(join(secret, 'passwd.csv'), 'user,hash\nroot,s3cr3t\n');
  await symlink(join(secret, 'passwd.csv'), join(root, 'link.csv'));
  await symlink(secret, join(root, 'sub', 'escape'));
});
afterEach(() => {
  if (savedRoots === undefined) delete process.env.SLUICE_DATA_ROOTS;
  else process.env.SLUICE_DATA_ROOTS = savedRoots;
});
afterAll(async () => {
  await cleanupComponentRuns();
  await rm(base, { recursive: true, force: true });
});

/** The error `readSourceText` throws for `path`, which must not carry the secret file's content. */
async function refusal(path: string): Promise<Error> {
  const err = await readSourceText(path, 'load-csv').catch((e: unknown) => e);
  expect(err).toBeInstanceOf(SourceFileOutsideRootsError);
  expect(err).toBeInstanceOf(NonRetryableError);
  expect((err as Error).message).not.toContain('s3cr3t');
  return err as Error;
}

describe('data roots of the loaders', () => {
  it('defaults to the working directory, and reads SLUICE_DATA_ROOTS (separated by path.delimiter, relative to it) otherwise', () => {
    expect(dataRoots({}, '/srv/work')).toEqual(['/srv/work']);
    expect(dataRoots({ SLUICE_DATA_ROOTS: ' ' }, '/srv/work')).toEqual(['/srv/work']);
    expect(dataRoots({ SLUICE_DATA_ROOTS: ['/data', 'shared', ''].join(delimiter) }, '/srv/work')).toEqual(['/data', '/srv/work/shared']);
  });

  it('counts a path as inside a root only below it, not beside it with the same prefix', () => {
    expect(isInside('/data/a.csv', '/data')).toBe(true);
    expect(isInside('/data', '/data')).toBe(true);
    expect(isInside('/data-other/a.csv', '/data')).toBe(false);
    expect(isInside('/etc/passwd', '/data')).toBe(false);
    expect(isInside('/data/..x/a.csv', '/data')).toBe(true); // a directory named "..x", not an escape
  });

  it('reads a file inside an allowed root', async () => {
    setRoots(root);
    await expect(readSourceText(join(root, 'ok.csv'), 'load-csv')).resolves.toBe('a,b\n1,2\n');
  });

  it('refuses a path outside the roots (an absolute path such as /etc/passwd), naming the file, the roots and the setting', async () => {
    setRoots(root);
    const err = await refusal(join(secret, 'passwd.csv'));
    expect(err.message).toBe(
      `load-csv: ${join(secret, 'passwd.csv')} is outside the directories this worker may read (${root}); ` +
        `set SLUICE_DATA_ROOTS=${root}${delimiter}<another directory> on the worker to allow more`,
    );
    await refusal('/etc/passwd');
  });

  it('refuses a path that escapes with ..', async () => {
    setRoots(root);
    await refusal(join(root, '..', 'secret', 'passwd.csv'));
    // Relative to the working directory, as runs give them.
    await refusal(relative(process.cwd(), join(secret, 'passwd.csv')));
  });

  it('refuses a symbolic link inside the root that points outside, and a path through a linked directory', async () => {
    setRoots(root);
    const err = await refusal(join(root, 'link.csv'));
    expect(err.message).toContain(`${join(root, 'link.csv')} is a symbolic link (or lies below one) that leads outside the directories this worker may read`);
    await refusal(join(root, 'sub', 'escape', 'passwd.csv'));
  });

  it('reads another directory once SLUICE_DATA_ROOTS lists it', async () => {
    setRoots(root, secret);
    await expect(readSourceText(join(secret, 'passwd.csv'), 'load-csv')).resolves.toContain('user,hash');
    await expect(readSourceText(join(root, 'link.csv'), 'load-csv')).resolves.toContain('user,hash');
  });

  it('with the setting unset, reads below the working directory only', async () => {
    delete process.env.SLUICE_DATA_ROOTS;
    await expect(readSourceText(fixture('iris-sample.csv'), 'load-csv')).resolves.toMatch(/^sepal_length,/);
    const err = await refusal(join(root, 'ok.csv'));
    expect(err.message).toContain(`(${process.cwd()})`);
  });

  it('keeps load-csv and load-json-lines from turning an outside file into an artifact', async () => {
    setRoots(root);
    const csv = await runComponent(loadCsv, { path: join(root, 'link.csv') }).catch((e: unknown) => e);
    expect(csv).toBeInstanceOf(SourceFileOutsideRootsError);
    const jsonl = await runComponent(loadJsonLines, { path: '/etc/passwd' }).catch((e: unknown) => e);
    expect(jsonl).toBeInstanceOf(SourceFileError);
    expect((jsonl as Error).message).toMatch(/^load-json-lines: \/etc\/passwd is outside the directories this worker may read/);
  });
});
