/**
 * Import specifiers for component modules. The IR records where workers import a function
 * component from: a package (`sluice/components`) or a file relative to the project root
 * (`./examples/iris.ts`, what `sluice compile` records). A generated file elsewhere in the project
 * imports that file by a path relative to itself. Posix paths, no Node APIs (browser-safe).
 */

/** Same rule as the worker's registry: relative/absolute paths and .ts/.js files are files, the rest packages. */
export function isFileModule(module: string): boolean {
  return /^[./]/.test(module) || /\.(c|m)?(t|j)sx?$/.test(module);
}

function normalize(path: string): string[] {
  const out: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..' && out.length > 0 && out[out.length - 1] !== '..') out.pop();
    else out.push(part);
  }
  return out;
}

/** `to` relative to directory `fromDir` (both relative to one root, or both absolute). */
export function relativePath(fromDir: string, to: string): string {
  const from = normalize(fromDir);
  const target = normalize(to);
  let common = 0;
  while (common < from.length && common < target.length && from[common] === target[common]) common++;
  const up = from.slice(common).map(() => '..');
  const rel = [...up, ...target.slice(common)].join('/');
  return rel.startsWith('..') ? rel : `./${rel}`;
}

/**
 * The specifier a file at `fromFile` (project-relative, default: a file at the project root) uses
 * to import `module`. TypeScript sources lose their extension, as in the rest of the project, so
 * tsc, tsx and vite all resolve them.
 */
export function importSpecifier(module: string, fromFile: string | undefined): string {
  if (!isFileModule(module)) return module;
  const stripped = module.replace(/\.(c|m)?tsx?$/, '');
  const from = fromFile ?? 'generated.ts';
  const fromAbsolute = from.startsWith('/');
  const moduleAbsolute = stripped.startsWith('/');
  // A project-relative module cannot be reached from an absolute file name (and vice versa) without
  // knowing the project root: keep it as written.
  if (fromAbsolute !== moduleAbsolute) return moduleAbsolute ? stripped : `./${normalize(stripped).join('/')}`;
  const dir = from.split('/').slice(0, -1).join('/');
  return relativePath(fromAbsolute ? `/${dir}` : dir, stripped);
}
