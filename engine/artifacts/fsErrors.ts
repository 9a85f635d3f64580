/** Small file-system helpers shared by the artifact stores. */
import { lstat } from 'node:fs/promises';

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
