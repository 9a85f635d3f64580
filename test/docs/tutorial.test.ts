/**
 * docs/TUTORIAL.md cannot rot: it is followed as a person would, with this checkout's CLI.
 * `npx sluice init` (the line from the tutorial) scaffolds a project; every `file=` block is saved
 * where the tutorial says; the project type-checks with its own tsconfig (what `npm run typecheck`
 * does there); then every command of the `sh` blocks runs for real, in order, on the `sluice dev`
 * the tutorial starts — the two runs, `runs compare`, `lineage`, `schedules create` and `list` —
 * and the editor links it gives name views that exist. A command this test does not know fails it,
 * so a new step in the tutorial comes with its check here.
 *
 * The project lies inside the repository (under .sluice/) so that TypeScript and Node find the
 * repository's node_modules (@types/node, tsx) as an installed project finds its own; its
 * `node_modules/sluice` links to this checkout, whose `sluice-source` export condition the CLI
 * turns on (bin/sluice.js). The packed, installed package is tested by test/package.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseRoute } from '../../editor/src/app/route';
import { projectRoot } from '../../engine/paths';
import { runToEnd, spawnProcess, stopAllProcesses } from '../support/processes';

const exec = promisify(execFile);
const DOC = path.join(projectRoot, 'docs', 'TUTORIAL.md');
const WORK_DIR = path.join(projectRoot, '.sluice', 'doc-blocks', 'tutorial');
const SLUICE_BIN = path.join(projectRoot, 'bin', 'sluice.js');

const markdown = readFileSync(DOC, 'utf8');

interface Block {
  line: number;
  lang: string;
  file?: string;
  code: string;
}

const blocks: Block[] = [];
{
  const re = /^```(\w*)([^\n]*)\n([\s\S]*?)^```$/gm;
  for (let m = re.exec(markdown); m; m = re.exec(markdown)) {
    const file = /\bfile=(\S+)/.exec(m[2] ?? '')?.[1];
    blocks.push({ line: markdown.slice(0, m.index).split('\n').length, lang: m[1] ?? '', code: m[3] ?? '', ...(file ? { file } : {}) });
  }
}
/** The shell lines, in order, with the line of the tutorial each is on. */
const commands = blocks
  .filter((b) => b.lang === 'sh')
  .flatMap((b) => b.code.split('\n').map((text, i) => ({ line: b.line + 1 + i, text: text.trim() })))
  .filter((c) => c.text !== '' && !c.text.startsWith('#'));

/** Splits a command line into words: spaces separate, double quotes group (all the tutorial uses). */
function words(line: string): string[] {
  return [...line.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2] ?? '');
}

let project = '';
let env: Record<string, string | undefined> = {};
const timings: Record<string, number> = {};

async function timed<T>(step: string, fn: () => Promise<T>): Promise<T> {
  const started = Date.now();
  try {
    return await fn();
  } finally {
    timings[step] = (timings[step] ?? 0) + Date.now() - started;
  }
}

const sluice = (args: string[], timeoutMs = 180_000): ReturnType<typeof runToEnd> =>
  runToEnd({ name: `sluice ${args.slice(0, 2).join(' ')}`, args: [SLUICE_BIN, ...args], cwd: project, env }, timeoutMs);

beforeAll(async () => {
  const temporal = (await exec('bash', [path.join(projectRoot, 'scripts', 'ensure-temporal.sh')])).stdout.trim().split('\n').pop() ?? '';
  env = { TEMPORAL_CLI: temporal, SLUICE_URL: undefined, SLUICE_HOME: undefined, SLUICE_TOKEN: undefined, DATABASE_URL: undefined, NODE_OPTIONS: undefined };
  await rm(WORK_DIR, { recursive: true, force: true });
  await mkdir(WORK_DIR, { recursive: true });

  const init = commands.find((c) => c.text.startsWith('npx sluice init '));
  if (!init) throw new Error('TUTORIAL.md has no `npx sluice init <dir>` line');
  const [, , ...initArgs] = words(init.text);
  const created = await timed('sluice init', () => runToEnd({ name: 'sluice init', args: [SLUICE_BIN, ...initArgs], cwd: WORK_DIR, env }));
  expect(created.code, created.output).toBe(0);
  project = path.join(WORK_DIR, initArgs[1] ?? '');
  // What `npm install` gives the project: the sluice package, here this checkout.
  await mkdir(path.join(project, 'node_modules'));
  await symlink(projectRoot, path.join(project, 'node_modules', 'sluice'), 'dir');
  for (const b of blocks) {
    if (!b.file) continue;
    const file = path.join(project, b.file);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, b.code);
  }
}, 180_000);

afterAll(async () => {
  await stopAllProcesses();
  process.stderr.write(`tutorial doc test timings (ms): ${JSON.stringify(timings)}\n`);
  await rm(WORK_DIR, { recursive: true, force: true });
});

describe('docs/TUTORIAL.md', () => {
  it('is linked from the first screen of the README', () => {
    const firstScreen = readFileSync(path.join(projectRoot, 'README.md'), 'utf8').split('\n').slice(0, 12).join('\n');
    expect(firstScreen).toContain('(docs/TUTORIAL.md)');
  });

  it('gives every code block a file to live in', () => {
    const unplaced = blocks.filter((b) => b.lang !== 'sh' && !b.file).map((b) => `line ${b.line}: a ${b.lang || 'plain'} block without file=`);
    expect(unplaced).toEqual([]);
    expect(blocks.filter((b) => b.lang === 'ts').length).toBeGreaterThanOrEqual(2);
  });

  it("type-checks the project with its own tsconfig, as the tutorial's `npm run typecheck` does", async () => {
    expect(commands.map((c) => c.text)).toContain('npm run typecheck');
    const config = ts.getParsedCommandLineOfConfigFile(path.join(project, 'tsconfig.json'), {}, {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
      },
    });
    if (!config) throw new Error('the scaffolded tsconfig.json did not parse');
    const tsFiles = blocks.filter((b) => b.lang === 'ts' && b.file).map((b) => path.join(project, b.file ?? ''));
    expect(config.fileNames).toEqual(expect.arrayContaining(tsFiles));
    // The installed package's types are its dist/types; here the same sources, by the export condition.
    const program = await timed('type check', async () => ts.createProgram(config.fileNames, { ...config.options, customConditions: ['sluice-source'] }));
    const problems = ts
      .getPreEmitDiagnostics(program)
      .filter((d) => !d.file || d.file.fileName.startsWith(project))
      .map((d) => {
        if (!d.file) return ts.flattenDiagnosticMessageText(d.messageText, '\n');
        const rel = path.relative(project, d.file.fileName);
        const block = blocks.find((b) => b.file === rel);
        const { line } = d.file.getLineAndCharacterOfPosition(d.start ?? 0);
        const where = block ? `TUTORIAL.md line ${block.line + 1 + line} (${rel})` : `${rel}:${line + 1}`;
        return `${where}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
      });
    expect(problems).toEqual([]);

    // The mistake the tutorial invites (a Dataset given as the evaluator's model) is refused.
    expect(markdown).toMatch(/give `evaluateClassifier` `parts\.outputs\.train` as\s+its `model` and `npm run typecheck` refuses it/);
    const pipelineBlock = blocks.find((b) => b.file === 'pipelines/fruit.ts');
    const wrong = pipelineBlock?.code.replace('model: trained.outputs.model', 'model: parts.outputs.train') ?? '';
    expect(wrong, 'the fruit pipeline passes trained.outputs.model to the evaluator').not.toBe(pipelineBlock?.code);
    const mistake = path.join(project, 'pipelines', 'mistake.ts');
    await writeFile(mistake, wrong);
    try {
      const withMistake = ts.createProgram([...config.fileNames, mistake], { ...config.options, customConditions: ['sluice-source'] }, undefined, program);
      const refused = ts.getPreEmitDiagnostics(withMistake, withMistake.getSourceFile(mistake));
      // …on the line of the mistake, not for another reason.
      const lines = refused.map((d) => (d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start).line : -1));
      const mistakeLine = wrong.split('\n').findIndex((l) => l.includes('model: parts.outputs.train'));
      expect(lines, refused.map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n')).join('\n')).toEqual([mistakeLine]);
    } finally {
      await rm(mistake);
    }
  }, 120_000);

  it('runs every command of the tutorial, in order, and its editor links name existing views', async () => {
    const runIds: string[] = [];
    let url = '';
    const fill = (text: string): string =>
      text.replaceAll('<first-run-id>', runIds[0] ?? '<no first run>').replaceAll('<second-run-id>', runIds[1] ?? '<no second run>').replaceAll('<run-id>', runIds[0] ?? '<no run>');
    const checked: string[] = [];

    for (const { line, text } of commands) {
      const where = `TUTORIAL.md line ${line}: ${text}`;
      // Done by beforeAll (init, the project's dependencies) or by the type-check test above.
      if (text.startsWith('npx sluice init ') || text.startsWith('cd ') || text === 'npm install' || text === 'npm run typecheck') continue;
      if (!text.startsWith('npx sluice ')) throw new Error(`${where}: this test does not know how to check that command; add its check here`);
      const args = words(fill(text)).slice(2);
      const sub = args.slice(0, args[0] === 'runs' || args[0] === 'schedules' ? 2 : 1).join(' ');
      checked.push(sub);

      if (sub === 'dev') {
        const dev = spawnProcess({ name: 'sluice dev', args: [SLUICE_BIN, ...args, '--port', '0'], cwd: project, env });
        url = (await timed('sluice dev (up)', () => dev.waitForOutput(/Sluice is up: (http:\/\/127\.0\.0\.1:\d+)/, 240_000)))[1] ?? '';
        continue;
      }
      const result = await timed(`sluice ${sub}`, () => sluice(args));
      expect(result.code, `${where}\n${result.output}`).toBe(0);
      const out = result.output;
      switch (sub) {
        case 'compile':
          expect(out, where).toMatch(/"name": "add-ratio"/);
          break;
        case 'run': {
          const id = /run ([0-9a-f]{12}) succeeded/.exec(out)?.[1];
          expect(id, `${where}\n${out}`).toBeDefined();
          expect(out, where).toContain(`started on ${url}`); // it went to the tutorial's `sluice dev`
          runIds.push(id ?? '');
          break;
        }
        case 'runs list':
          for (const id of runIds) expect(out, where).toContain(id);
          break;
        case 'runs compare':
          expect(out, where).toMatch(/≠ epochs\s+40\s+3/);
          expect(out, where).toMatch(/loss ↓\s+\S+ \*/);
          break;
        case 'lineage':
          for (const step of ['train-classifier', 'split', 'add-ratio', 'load-csv', 'data/fruit.csv', 'epochs=3']) expect(out, where).toContain(step);
          break;
        case 'schedules create':
        case 'schedules list':
          expect(out, where).toMatch(/fruit-nightly\s+pipeline fruit\s+cron "0 3 \* \* \*"/);
          break;
        default:
          throw new Error(`${where}: this test does not know how to check \`sluice ${sub}\`; add its check here`);
      }
    }
    expect(checked).toEqual(expect.arrayContaining(['dev', 'run', 'runs compare', 'lineage', 'schedules create', 'schedules list']));
    expect(runIds).toHaveLength(2);

    // The editor links the tutorial gives, with the real ids: each names a view, and the compare
    // view's data comes back for these runs.
    const links = [...markdown.matchAll(/http:\/\/127\.0\.0\.1:8080\/(#\/[^\s`)]+)/g)].map((m) => fill(m[1] ?? ''));
    expect(links.length).toBeGreaterThanOrEqual(2);
    for (const hash of links) expect(parseRoute(hash).view, hash).not.toBe('notFound');
    const compared = await fetch(`${url}/api/runs/compare?ids=${runIds.join(',')}`);
    expect(compared.status).toBe(200);
    const lineageLink = links.find((l) => l.startsWith('#/lineage/'));
    expect(lineageLink, 'a link to the lineage explorer').toBeDefined();
    const route = parseRoute(lineageLink ?? '');
    if (route.view !== 'lineage') throw new Error(`${lineageLink} is not the lineage explorer`);
    const lineage = await fetch(`${url}/api/artifacts/${encodeURIComponent(route.id)}/lineage?direction=both&depth=3`);
    expect(lineage.status, await lineage.clone().text()).toBe(200);
  }, 600_000);
});
