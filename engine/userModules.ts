/**
 * Imports a user's module (a pipeline file, a component module) by URL or package specifier. Users
 * write TypeScript: from a checkout everything already runs through tsx (bin/sluice.js) or vitest;
 * the installed package runs compiled JavaScript and registers tsx's loader here, on the first
 * import of a user module, so that commands that never load one do not pay for it.
 *
 * A CLI command that loads one pipeline file (`sluice run`, `compile`…) uses importPipelineFile
 * instead: a self-contained file is transformed by esbuild and imported as plain JavaScript. tsx's
 * loader costs a loader thread and its own start-up (~0.4 s of CPU, bench/cliStartup.ts); esbuild's
 * transform ~0.1 s.
 */
import { randomBytes } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { packaged } from './paths';

let loader: Promise<void> | undefined;

export async function importUserModule(specifier: string): Promise<Record<string, unknown>> {
  if (packaged) {
    loader ??= import('tsx/esm/api').then(({ register }) => {
      register();
    });
    await loader;
  }
  return (await import(specifier)) as Record<string, unknown>;
}

const TYPESCRIPT = /\.(ts|mts|cts|tsx)$/;

/**
 * Imports the pipeline file at `file` (an absolute path). From the built package a TypeScript file
 * that imports no other file of the user's (packages only) is transformed by esbuild directly
 * (transformUserFile); any other falls back to tsx's loader.
 */
export async function importPipelineFile(file: string): Promise<Record<string, unknown>> {
  if (packaged && TYPESCRIPT.test(file)) {
    const mod = await transformUserFile(file);
    if (mod) return mod;
  }
  return importUserModule(pathToFileURL(file).href);
}

/**
 * Transforms `file` to JavaScript with esbuild, with the options tsx's loader uses, writes it beside
 * the file for the time of the import (as Vite loads vite.config.ts: packages, `sluice/dsl` among
 * them, resolve from the file's folder as before, and `import.meta.dirname` is the same), and
 * imports it (`import.meta.url` and `.filename` name that module). Undefined (tsx's turn) when the
 * file imports another file of the user's: esbuild would bundle it and rename symbols that clash
 * between the two, and the text of a component's `run` is part of its digest, which the worker
 * (through tsx) must compute alike. A syntax error is thrown with esbuild's file:line:column.
 */
export async function transformUserFile(file: string): Promise<Record<string, unknown> | undefined> {
  // esbuild comes with tsx (its dependency); should it not resolve from here, tsx does the work.
  const esbuild = await import('esbuild').catch(() => undefined);
  if (!esbuild) return undefined;
  const { build } = esbuild;
  const result = await build({
    entryPoints: [file],
    bundle: true,
    write: false,
    metafile: true,
    format: 'esm',
    platform: 'node',
    packages: 'external',
    logLevel: 'silent',
    // tsx's transform options (tsx/dist: minifyWhitespace, keepNames, the running Node as target).
    target: `node${process.versions.node}`,
    minifyWhitespace: true,
    keepNames: true,
    sourcemap: 'inline',
  });
  if (Object.keys(result.metafile.inputs).length !== 1) return undefined;
  const out = path.join(path.dirname(file), `.${path.basename(file)}.sluice-${randomBytes(4).toString('hex')}.mjs`);
  // A folder this process may not write to: tsx loads the file in memory instead.
  if (!(await writeFile(out, result.outputFiles[0]?.text ?? '').then(() => true, () => false))) return undefined;
  try {
    return (await import(pathToFileURL(out).href)) as Record<string, unknown>;
  } finally {
    await rm(out, { force: true });
  }
}
