/**
 * Sluice as a user gets it: `npm pack` (which builds dist/ through `prepack`), `npm install` of the
 * tarball into an empty folder outside the repository, `npx sluice init my-pipelines`, `npm install`
 * there, then, with the installed CLI only: the scaffolded pipeline compiled, run to `succeeded` on
 * an embedded stack, then on `sluice dev` serving the editor from the package (its worker imports
 * the user's TypeScript components), and the project type-checked by its own tsc.
 *
 * npm installs from the local cache (`--prefer-offline`); packages' install scripts are not run
 * (`--ignore-scripts`: onnxruntime-node's would download CUDA libraries; the CPU build ships in it).
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../engine/paths';
import { runToEnd, spawnProcess, stopAllProcesses } from '../support/processes';

const exec = promisify(execFile);
const NPM_INSTALL = ['install', '--prefer-offline', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'];

let tmp = '';
let tarball = '';
let project = '';
/** What the user's shell would have: the project's own bin folder first, our Temporal CLI. */
let env: Record<string, string | undefined> = {};
const timings: Record<string, number> = {};

async function timed<T>(step: string, fn: () => Promise<T>): Promise<T> {
  const started = Date.now();
  try {
    return await fn();
  } finally {
    timings[step] = Date.now() - started;
  }
}

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'sluice-package-'));
  const temporal = (await exec('bash', [path.join(projectRoot, 'scripts', 'ensure-temporal.sh')])).stdout.trim().split('\n').pop() ?? '';
  const packed = await timed('npm pack (build)', () => exec('npm', ['pack', '--json', '--pack-destination', tmp], { cwd: projectRoot, maxBuffer: 64 << 20 }));
  tarball = path.join(tmp, (JSON.parse(packed.stdout) as { filename: string }[])[0]?.filename ?? '');

  // An empty folder, the tarball installed into it, as the README says.
  const first = path.join(tmp, 'first');
  await mkdir(first);
  await timed('npm install <tarball>', () => exec('npm', [...NPM_INSTALL, tarball], { cwd: first, maxBuffer: 64 << 20 }));
  const init = await runToEnd({
    name: 'sluice init',
    command: path.join(first, 'node_modules', '.bin', 'sluice'),
    args: ['init', 'my-pipelines', '--dependency', `file:${tarball}`],
    cwd: first,
  });
  expect(init.output).toMatch(/created my-pipelines/);
  expect(init.code).toBe(0);
  project = path.join(first, 'my-pipelines');
  // The project's own `npm install`, started from the packages just installed (hard links, as a
  // warm cache would give them): npm then only adds what differs (typescript, @types/node) instead
  // of unpacking the same ~500 packages a second time, the slowest part of this test.
  await exec('cp', ['-al', path.join(first, 'node_modules'), path.join(project, 'node_modules')]);
  await timed('npm install (project)', () => exec('npm', NPM_INSTALL, { cwd: project, maxBuffer: 64 << 20 }));
  env = {
    PATH: `${path.join(project, 'node_modules', '.bin')}${path.delimiter}${process.env.PATH ?? ''}`,
    TEMPORAL_CLI: temporal,
    SLUICE_URL: undefined,
    SLUICE_HOME: undefined,
    SLUICE_USER_CACHE: path.join(tmp, 'user-cache'),
    NODE_OPTIONS: undefined,
  };
}, 600_000);

afterAll(async () => {
  await stopAllProcesses();
  process.stderr.write(`installed-package test timings (ms): ${JSON.stringify(timings)}\n`);
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

const sluice = (args: string[], timeoutMs?: number): ReturnType<typeof runToEnd> =>
  runToEnd({ name: `sluice ${args[0] ?? ''}`, command: path.join(project, 'node_modules', '.bin', 'sluice'), args, cwd: project, env }, timeoutMs);

describe('the packed package, installed into a new project', () => {
  it('ships compiled JavaScript, declarations, the editor, the migrations and the workflow bundle, and no TypeScript sources', async () => {
    const { stdout } = await exec('tar', ['-tzf', tarball], { maxBuffer: 64 << 20 });
    const files = stdout.split('\n').filter(Boolean);
    expect(files).toEqual(expect.arrayContaining(['package/bin/sluice.js', 'package/dist/cli.js', 'package/dist/dsl.js', 'package/dist/types/dsl/index.d.ts', 'package/editor/dist/index.html', 'package/scripts/ensure-temporal.sh']));
    expect(files.some((f) => f.startsWith('package/engine/stores/metadata/migrations/') && f.endsWith('.sql'))).toBe(true);
    expect(files.some((f) => f.startsWith('package/dist/workflow-bundles/'))).toBe(true);
    expect(files.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))).toEqual([]);
  });

  it('scaffolds a project whose pipeline compiles with the user component recorded by its module', async () => {
    expect(JSON.parse(await readFile(path.join(project, 'package.json'), 'utf8'))).toMatchObject({ dependencies: { sluice: `file:${tarball}` } });
    const compiled = await timed('sluice compile', () => sluice(['compile', 'pipelines/example.ts']));
    expect(compiled.code, compiled.output).toBe(0);
    expect(compiled.output).toMatch(/"module": "\.\/pipelines\/example\.ts"/);
    expect(compiled.output).toMatch(/"name": "count-words"/);
  });

  it('type-checks the project with its own tsc', async () => {
    const tsc = await timed('tsc (project)', () => runToEnd({ name: 'tsc', command: path.join(project, 'node_modules', '.bin', 'tsc'), args: ['-p', '.'], cwd: project, env }));
    expect(tsc.output).toBe('');
    expect(tsc.code).toBe(0);
  });

  it('runs the pipeline to succeeded on its own embedded stack (no server running)', async () => {
    const ran = await timed('sluice run (embedded)', () => sluice(['run', 'pipelines/example.ts', '--json'], 240_000));
    expect(ran.code, ran.output).toBe(0);
    const record = JSON.parse(ran.output.slice(ran.output.indexOf('{'))) as { run: { status: string }; executions: { outputParams?: Record<string, unknown> }[] };
    expect(record.run.status).toBe('succeeded');
    expect(record.executions.map((e) => e.outputParams)).toContainEqual({ words: 6 });
  });

  it('runs the pipeline to succeeded on `sluice dev`, which serves the editor from the package', async () => {
    const dev = spawnProcess({ name: 'sluice dev', command: path.join(project, 'node_modules', '.bin', 'sluice'), args: ['dev', '--port', '0'], cwd: project, env });
    const url = (await timed('sluice dev (up)', () => dev.waitForOutput(/Sluice is up: (http:\/\/127\.0\.0\.1:\d+)/, 180_000)))[1] ?? '';
    const page = await fetch(`${url}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/<div id="root">/);

    const ran = await timed('sluice run (served)', () => sluice(['run', 'pipelines/example.ts', '--param', 'text=one two three', '--json'], 180_000));
    expect(ran.code, ran.output).toBe(0);
    const record = JSON.parse(ran.output.slice(ran.output.indexOf('{'))) as { run: { status: string }; executions: { outputParams?: Record<string, unknown> }[]; artifacts: { type: string }[] };
    expect(record.run.status).toBe('succeeded');
    // The user's component ran on the server's worker: its output, and the report it wrote.
    expect(record.executions.map((e) => e.outputParams)).toContainEqual({ words: 3 });
    expect(record.artifacts.map((a) => a.type)).toContain('Markdown');
    await dev.stop();
  });
});
