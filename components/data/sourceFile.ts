/** Reading the data files that loaders turn into Datasets, with errors that name the file. */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { NonRetryableError } from 'sluice/dsl';

/** A source file (CSV, JSON Lines, …) is unreadable or malformed; the message names file and line. */
export class SourceFileError extends NonRetryableError {
  override readonly name: string = 'SourceFileError';
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
    case undefined:
    default:
      return undefined;
  }
}

/**
 * The file's text (UTF-8, a leading byte-order mark removed). A missing or unreadable file is a
 * `SourceFileError`; other I/O errors (a flaky network disk) are left retryable.
 */
export async function readSourceText(path: string, component: string): Promise<string> {
  if (path.trim() === '') throw new SourceFileError(`${component}: the path parameter is empty; give the path of a file`);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const why = unreadable((err as NodeJS.ErrnoException).code, path);
    if (why !== undefined) throw new SourceFileError(`${component}: cannot read ${path}: ${why}`);
    throw err;
  }
  return text.startsWith('\uFEFF') ? text.slice(1) : text;
}
