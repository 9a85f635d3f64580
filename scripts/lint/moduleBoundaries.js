// @ts-check
/**
 * A local ESLint rule: the folders listed in MODULES are modules, and code outside a module
 * reaches it only through its entry point (`index.ts`; `engine/temporal/workflows` also exposes
 * `types.ts`, the messages its workflows exchange, because its index is the workflow bundle's
 * entry and may export workflow functions only). Internals stay internal (STYLE.md habit 5).
 * It also keeps `workers/` (worker process start-up) reachable only from the CLI.
 */
import path from 'node:path';

/** Innermost first wins: `engine/stores/metadata` before `engine`. */
export const MODULES = [
  'engine/automation',
  'engine/cli',
  'engine/contract',
  'engine/runs',
  'engine/server',
  'engine/serving',
  'engine/stack',
  'engine/stores/artifacts',
  'engine/stores/metadata',
  'engine/temporal/activities',
  'engine/temporal/devServer',
  'engine/temporal/worker',
  'engine/temporal/workflows',
  'workers/runtime',
  'workers',
].sort((a, b) => b.length - a.length);

/**
 * Extra entry points besides index.ts. engine/stack/stateLock and engine/runs/runParams are what
 * `sluice run` needs against a served stack: imported through their index, the built CLI would load
 * the embedded stack and Temporal's client with them (esbuild groups a barrel's modules into the
 * chunks of whoever imports the barrel; scripts/buildPackage.ts, bench/cliStartup.ts).
 */
const EXTRA_ENTRIES = { 'engine/temporal/workflows': ['types'], 'engine/stack': ['stateLock'], 'engine/runs': ['runParams'] };

/** Folders allowed to import `workers/` (the worker process start-up). */
const WORKERS_IMPORTERS = ['engine/cli/', 'workers/', 'test/', 'bench/', 'scripts/'];

/** @param {string} rel repo-relative path, posix */
export const moduleOf = (rel) => MODULES.find((m) => rel === m || rel.startsWith(`${m}/`));

/** @type {import('eslint').Rule.RuleModule} */
export const moduleEntryRule = {
  meta: {
    type: 'problem',
    docs: { description: 'Code outside a module imports it only through its index.ts' },
    schema: [{ type: 'object', properties: { root: { type: 'string' } }, additionalProperties: false }],
  },
  create(context) {
    const root = /** @type {{root: string}} */ (context.options[0]).root;
    const file = path.relative(root, context.filename).split(path.sep).join('/');
    const from = moduleOf(file);
    /** @param {import('estree').Node} node @param {unknown} source */
    const check = (node, source) => {
      if (typeof source !== 'string' || !source.startsWith('.')) return;
      const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), source));
      const to = moduleOf(target);
      if (to === 'workers' || to === 'workers/runtime') {
        if (!WORKERS_IMPORTERS.some((p) => file.startsWith(p))) {
          context.report({
            node,
            message: `${file} imports '${source}': only the CLI (engine/cli/) may import workers/ — it is the start-up of a worker process. Put what both need in engine/ and import it from there.`,
          });
          return;
        }
      }
      if (!to || to === from) return;
      const inside = target.slice(to.length + 1).replace(/\.tsx?$/, '');
      const entries = ['index', '', ...(EXTRA_ENTRIES[/** @type {keyof typeof EXTRA_ENTRIES} */ (to)] ?? [])];
      if (entries.includes(inside)) return;
      const entry = path.posix.relative(path.posix.dirname(file), `${to}/index`);
      context.report({
        node,
        message: `${file} imports '${source}', an internal file of ${to}/: other folders import a module only through its entry point. Import from '${entry.startsWith('.') ? entry : `./${entry}`}' and export what you need there.`,
      });
    };
    return {
      ImportDeclaration: (node) => check(node, node.source.value),
      ExportNamedDeclaration: (node) => node.source && check(node, node.source.value),
      ExportAllDeclaration: (node) => check(node, node.source.value),
      ImportExpression: (node) => node.source.type === 'Literal' && check(node, node.source.value),
    };
  },
};
