/**
 * Reading the data files that loaders turn into Datasets, with errors that name the file. A run
 * chooses the path, and what a loader reads becomes a downloadable artifact, so only files inside
 * the worker's data roots are read: `SLUICE_DATA_ROOTS`, or the worker's working directory.
 */
import { readFile, realpath } from 'node:fs/promises';
import { delimiter, isAbsolute, relative, resolve, sep } from 'node:path';
import { NonRetryableError } from 'sluice/dsl';

/** The setting that lists the directories loaders may read, separated by `path.delimiter`. */
export const DATA_ROOTS_SETTING = 'SLUICE_DATA_ROOTS';

/** A source file (CSV, JSON Lines, …) is unreadable or malformed; the message names file and line. */
export class SourceFileError extends NonRetryableError {
  override readonly name: string = 'SourceFileError';
  override readonly code: string = 'source-file';
}

/** A run asked for a file outside the directories this worker may read. */
export class SourceFileOutsideRootsError extends SourceFileError {
  override readonly name: string = 'SourceFileOutsideRootsError';
  override readonly code: string = 'source-file-outside-roots';
}

/**
 * The directories loaders may read under, as absolute paths: the `SLUICE_DATA_ROOTS` entries
 * (relative ones resolve from `cwd`), or `cwd` alone when the setting is unset or empty.
 */
export function dataRoots(env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): string[] {
  const listed = (env[DATA_ROOTS_SETTING] ?? '')
    .split(delimiter)
    .map((r) => r.trim())
    .filter((r) => r !== '');
  return (listed.length > 0 ? listed : [cwd]).map((r) => resolve(cwd, r));
}

/** Whether `path` is `root` or below it (both absolute and normalised). */
export function isInside(path: string, root: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

/** Why a file could not be read, in words a person can act on, for the errors that retrying cannot fix. */
function unreadable(code: string | undefined, path: string): string | undefined {
  switch (code) {
    case 'ENOENT':
      return `no such file (relative paths resolve from the worker's directory, ${process.cwd()}, to ${resolve(path)})`;
    case 'EISDIR':
      return 'it is a directory; give the path of a file';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied for the worker process';
    case 'ENOTDIR':
      return 'a parent of the path is not a directory';
    case 'ELOOP':
      return 'too many levels of symbolic links';
    case undefined:
    default:
      return undefined;
  }
}

function outside(component: string, path: string, roots: readonly string[], how: string): SourceFileOutsideRootsError {
  return new SourceFileOutsideRootsError(
    `${component}: ${path} ${how} the directories this worker may read (${roots.join(delimiter)}); ` +
      `set ${DATA_ROOTS_SETTING}=${[...roots, '<another directory>'].join(delimiter)} on the worker to allow more`,
  );
}

/**
 * The real path of a file a run named, if it lies inside the data roots (`dataRoots()`) once
 * symbolic links are followed: a path outside them, `..` escapes and links pointing out are a
 * `SourceFileOutsideRootsError`. A missing or unreadable file is a `SourceFileError`; other I/O
 * errors (a flaky network disk) are left retryable.
 */
export async function resolveSourcePath(path: string, component: string): Promise<string> {
  if (path.trim() === '') throw new SourceFileError(`${component}: the path parameter is empty; give the path of a file`);
  const roots = dataRoots();
  const requested = resolve(path);
  // Checked before touching the file system, so that a refused path tells nothing about what exists there.
  if (!roots.some((root) => isInside(requested, root))) throw outside(component, path, roots, 'is outside');
  try {
    const real = await realpath(requested);
    // A root may itself be (or lie below) a symbolic link: compare real paths with real paths.
    const realRoots = await Promise.all(roots.map((root) => realpath(root).catch(() => root)));
    if (!realRoots.some((root) => isInside(real, root))) throw outside(component, path, roots, 'is a symbolic link (or lies below one) that leads outside');
    return real;
  } catch (err) {
    throw readError(err, path, component);
  }
}

/** A `SourceFileError` for the I/O errors retrying cannot fix; others unchanged. */
function readError(err: unknown, path: string, component: string): unknown {
  if (err instanceof SourceFileError) return err;
  const why = unreadable((err as NodeJS.ErrnoException).code, path);
  return why !== undefined ? new SourceFileError(`${component}: cannot read ${path}: ${why}`) : err;
}

/**
 * The file's text (UTF-8, a leading byte-order mark removed), if the file lies inside the data
 * roots (see `resolveSourcePath` for what is refused and how).
 */
export async function readSourceText(path: string, component: string): Promise<string> {
  const real = await resolveSourcePath(path, component);
  let text: string;
  try {
    text = await readFile(real, 'utf8');
  } catch (err) {
    throw readError(err, path, component);
  }
  return text.startsWith('\uFEFF') ? text.slice(1) : text;
}
