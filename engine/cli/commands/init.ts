/**
 * `sluice init <dir>`: scaffolds a project that uses the installed Sluice package — package.json
 * with the dependency, tsconfig, a pipeline using a custom component, .gitignore and a README —
 * so that `npm install`, `npx sluice run pipelines/example.ts` and `npx sluice dev` work there.
 * test/package/installedPackage.test.ts installs the packed tarball and runs exactly this.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { sluiceVersion } from '../../paths';
import { CliError } from '../CliError';

/** An npm package name the project can take from its folder name (lower case, no spaces). */
function packageNameFor(dir: string): string {
  const name = path
    .basename(path.resolve(dir))
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[._-]+/, '');
  return name || 'my-pipelines';
}

/** The files of a new project, by path relative to it. */
export function scaffoldFiles(name: string, dependency: string): Record<string, string> {
  const packageJson = {
    name,
    version: '0.1.0',
    private: true,
    type: 'module',
    scripts: {
      dev: 'sluice dev',
      example: 'sluice run pipelines/example.ts',
      typecheck: 'tsc',
    },
    dependencies: { sluice: dependency },
    devDependencies: { '@types/node': '^20.19.0', typescript: '~5.9.0' },
  };
  const tsconfig = {
    compilerOptions: {
      target: 'ES2022',
      module: 'ESNext',
      // Sluice's types use extensionless imports, as bundlers and tsx resolve them.
      moduleResolution: 'Bundler',
      lib: ['ES2023'],
      types: ['node'],
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      verbatimModuleSyntax: true,
      isolatedModules: true,
    },
    include: ['pipelines', 'components'],
  };
  return {
    'package.json': `${JSON.stringify(packageJson, null, 2)}\n`,
    'tsconfig.json': `${JSON.stringify(tsconfig, null, 2)}\n`,
    '.gitignore': 'node_modules/\n# Sluice\'s local state: runs, artifacts, the embedded database and Temporal\'s\n.sluice/\n',
    'components/text.ts': COMPONENTS,
    'pipelines/example.ts': PIPELINE,
    'README.md': readme(name),
  };
}

const COMPONENTS = `/**
 * Your own components: typed inputs and outputs, and a \`run\` function that Sluice's workers call.
 * A parameter output is returned; an artifact output (here a Markdown file) is written to the path
 * Sluice hands over in \`ctx.outputs\`, and stored, versioned and traced by Sluice.
 */
import { writeFile } from 'node:fs/promises';
import { component, t } from 'sluice/dsl';

export const countWords = component({
  name: 'count-words',
  description: 'counts the words of a text',
  inputs: { text: t.string() },
  outputs: { words: t.int() },
  run: ({ text }) => ({ words: text.split(/\\s+/).filter(Boolean).length }),
});

export const writeReport = component({
  name: 'write-report',
  description: 'writes a short Markdown report',
  inputs: { title: t.string(), words: t.int() },
  outputs: { report: t.Markdown() },
  run: async ({ title, words }, ctx) => {
    await writeFile(ctx.outputs.report.path, \`# \${title}\\n\\n\${words} words.\\n\`);
  },
});
`;

const PIPELINE = `/**
 * An example pipeline: two tasks of your own components (components/text.ts), wired by their
 * typed outputs. Run it with \`npx sluice run pipelines/example.ts --param text="..."\`.
 */
import { pipeline, t } from 'sluice/dsl';
import { countWords, writeReport } from '../components/text';

export default pipeline(
  {
    name: 'example',
    description: 'counts the words of a text and reports them',
    inputs: { text: t.string({ default: 'Sluice runs typed pipelines on Temporal' }) },
  },
  (p) => {
    const counted = p.task(countWords, { text: p.inputs.text });
    p.task(writeReport, { title: 'Word count', words: counted.outputs.words });
  },
);
`;

function readme(name: string): string {
  return `# ${name}

ML pipelines with [Sluice](https://github.com/sluice): typed TypeScript pipelines, run as durable
Temporal workflows, with every artifact stored and traced.

- \`components/\`: your components (\`component({ inputs, outputs, run })\` from \`sluice/dsl\`).
- \`pipelines/\`: pipelines wiring components into tasks (\`pipeline(...)\`).

\`\`\`sh
npm install
npx sluice run pipelines/example.ts          # runs it (on \`sluice dev\` when one is running)
npx sluice dev                               # Temporal, the store, workers, the API and the editor
npm run typecheck                            # tsc checks your pipelines' wiring
\`\`\`

\`sluice dev\` needs the Temporal CLI: one on PATH or named by \`TEMPORAL_CLI\`, or Sluice builds it once
with Go into ~/.cache/sluice. Local state (runs, artifacts, the database) lives in \`.sluice/\`.
`;
}

export function registerInitCommand(program: Command): void {
  program
    .command('init')
    .description('create a project for your pipelines: package.json, tsconfig, components/, pipelines/ with an example')
    .argument('<dir>', 'folder to create (or an empty one)')
    .option('--dependency <spec>', 'what package.json depends on for sluice (default: ^ this version; e.g. file:../sluice-0.1.0.tgz)')
    .action(async (dir: string, opts: { dependency?: string }) => {
      const root = path.resolve(dir);
      if (existsSync(root) && (await readdir(root)).length > 0) {
        throw new CliError(`${dir} exists and is not empty; choose a new folder name (sluice init <dir>)`);
      }
      const files = scaffoldFiles(packageNameFor(root), opts.dependency ?? `^${sluiceVersion()}`);
      for (const [rel, text] of Object.entries(files)) {
        const file = path.join(root, rel);
        await mkdir(path.dirname(file), { recursive: true });
        await writeFile(file, text, { flag: 'wx' });
      }
      const shown = path.relative(process.cwd(), root) || '.';
      process.stdout.write(
        [
          `created ${shown}: ${Object.keys(files).sort().join(', ')}`,
          'next:',
          `  cd ${shown} && npm install`,
          '  npx sluice run pipelines/example.ts',
          '  npx sluice dev            # the editor and API on http://127.0.0.1:8080',
          '',
        ].join('\n'),
      );
    });
}
