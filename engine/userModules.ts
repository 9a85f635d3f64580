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
/** What transformUserFile turns into a module: anything else a file imports leaves the job to tsx. */
const CODE = /\.([cm]?[jt]s|[jt]sx)$/;

/**
 * Imports the pipeline file at `file` (an absolute path). From the built package a TypeScript file
 * is transformed by esbuild (transformUserFile); tsx's loader is the fallback.
 */
export async function importPipelineFile(file: string): Promise<Record<string, unknown>> {
  if (packaged && TYPESCRIPT.test(file)) {
    const mod = await transformUserFile(file);
    if (mod) return mod;
  }
  return importUserModule(pathToFileURL(file).href);
}

/**
 * Transforms `file` and the user's files it imports (relative imports, followed), each on its own,
 * with the options tsx's loader uses, writes each beside its source for the time of the import (as
 * Vite loads vite.config.ts: packages, `sluice/dsl` among them, resolve from the file's folder as
 * before, and `import.meta.dirname` is the same), and imports the first. One module per file, not
 * one bundle: a bundle renames symbols that clash between files, and the text of a component's
 * `run` is part of its digest, which the workers (through tsx) must compute alike.
 * `import.meta.url` and `.filename` name the written module. Undefined (tsx's turn) when esbuild
 * does not resolve, a folder is not writable, or a file imports something that is not code (JSON,
 * CSS…). A syntax error is thrown with esbuild's file:line:column.
 */
export async function transformUserFile(file: string): Promise<Record<string, unknown> | undefined> {
  // esbuild comes with tsx (its dependency); should it not resolve from here, tsx does the work.
  const esbuild = await import('esbuild').catch(() => undefined);
  if (!esbuild) return undefined;
  const id = randomBytes(4).toString('hex');
  const moduleOf = (source: string): string => path.join(path.dirname(source), `.${path.basename(source)}.sluice-${id}.mjs`);
  const pending = [file];
  const seen = new Set(pending);
  const written: string[] = [];
  try {
    for (let source = pending.pop(); source !== undefined; source = pending.pop()) {
      const importer = source;
      let notCode = false;
      const result = await esbuild.build({
        entryPoints: [importer],
        bundle: true, // with every import external: resolution only, this file alone in the output
        write: false,
        format: 'esm',
        platform: 'node',
        packages: 'external',
        logLevel: 'silent',
        // tsx's transform options (tsx/dist: minifyWhitespace, keepNames, the running Node as target).
        target: `node${process.versions.node}`,
        minifyWhitespace: true,
        keepNames: true,
        sourcemap: 'inline',
        plugins: [
          {
            name: 'sluice-user-files',
            setup(b) {
              b.onResolve({ filter: /^\.\.?\// }, async (args) => {
                if (args.pluginData === 'resolving') return undefined;
                const found = await b.resolve(args.path, { kind: args.kind, importer: args.importer, resolveDir: args.resolveDir, pluginData: 'resolving' });
                if (found.errors.length > 0) return { errors: found.errors };
                if (!CODE.test(found.path)) {
                  notCode = true;
                  return { path: args.path, external: true };
                }
                if (!seen.has(found.path)) {
                  seen.add(found.path);
                  pending.push(found.path);
                }
                const rel = path.relative(path.dirname(importer), moduleOf(found.path)).split(path.sep).join('/');
                return { path: rel.startsWith('../') ? rel : `./${rel}`, external: true }; // the modules' names start with a dot
              });
            },
          },
        ],
      });
      if (notCode) return undefined;
      const out = moduleOf(importer);
      // A folder this process may not write to: tsx loads the files in memory instead.
      if (!(await writeFile(out, result.outputFiles[0]?.text ?? '').then(() => true, () => false))) return undefined;
      written.push(out);
    }
    return (await import(pathToFileURL(moduleOf(file)).href)) as Record<string, unknown>;
  } finally {
    await Promise.all(written.map((f) => rm(f, { force: true })));
  }
}
