/** Small file-system helpers shared by the artifact stores. */
import { lstat, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { NonRetryableError } from '../../../dsl/errors';

/** True when `path` exists (a link counts, whatever it points at). */
export async function pathExists(path: string): Promise<boolean> {
  return lstat(path).then(
    () => true,
    (err: unknown) => {
      if (isCode(err, 'ENOENT', 'ENOTDIR')) return false;
      throw err;
    },
  );
}

/** Whether a Node error carries one of these `code`s. */
export function isCode(err: unknown, ...codes: string[]): boolean {
  return typeof err === 'object' && err !== null && codes.includes((err as { code?: unknown }).code as string);
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** What `put` stores: a regular file or a directory; anything else (or nothing) is refused. */
export async function artifactSource(localPath: string): Promise<{ source: string; kind: 'file' | 'directory' }> {
  const source = resolve(localPath);
  const info = await stat(source).catch((err: unknown) => {
    throw new NonRetryableError(`cannot store ${source} in the artifact store: ${errorMessage(err)}`);
  });
  if (info.isFile()) return { source, kind: 'file' };
  if (info.isDirectory()) return { source, kind: 'directory' };
  throw new NonRetryableError(`cannot store ${source}: only regular files and directories can be artifacts`);
}
