/**
 * Reading the small JSON documents the built-in components hand each other (a Schema, Statistics,
 * a Transform): each is one JSON file checked by a zod schema, and a bad one fails at once with an
 * error that names the file, the first problem, and the component that makes a good one.
 */
import { readFile } from 'node:fs/promises';
import type { ZodType } from 'zod';

/** One kind of JSON document: how to check it and what to say when it is wrong. */
export interface JsonDocumentKind<T> {
  /** What errors call the document, e.g. "schema". */
  noun: string;
  /** Its `format` field, e.g. "sluice.schema". */
  format: string;
  schema: ZodType<T>;
  /** The component that makes such a file, given as advice, e.g. "infer-schema". */
  madeBy: string;
  /** The error thrown for a bad document (non-retryable: reading it again will not fix it). */
  error: new (message: string) => Error;
}

/** Checks that `value` is a document of `kind`; `source` names it in errors. */
export function parseJsonDocument<T>(kind: JsonDocumentKind<T>, value: unknown, source: string): T {
  const parsed = kind.schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? ` at ${issue.path.join('.')}` : '';
    throw new kind.error(`${kind.noun} ${source}: not a ${kind.format} file${where}: ${issue?.message ?? 'invalid'} (make it with ${kind.madeBy})`);
  }
  return parsed.data;
}

/** Reads and checks a document of `kind`; an unreadable file fails with the file system's error. */
export async function readJsonDocument<T>(kind: JsonDocumentKind<T>, path: string): Promise<T> {
  let value: unknown;
  try {
    value = JSON.parse(await readFile(path, 'utf8'));
  } catch (err) {
    if (err instanceof SyntaxError) throw new kind.error(`${kind.noun} ${path}: not valid JSON (${err.message})`);
    throw err;
  }
  return parseJsonDocument(kind, value, path);
}
