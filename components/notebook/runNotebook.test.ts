/**
 * The run-notebook component with the real papermill, nbconvert and ipykernel (the virtualenv
 * scripts/ensure-notebook.sh makes; scripts/test.sh exports its python as SLUICE_NOTEBOOK_PYTHON).
 * Skipped, saying why, only where python3 or its venv module is missing (the script exits 2).
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadIris } from '../data/loadIris';
import { DATA_ROOTS_SETTING } from '../data/sourceFile';
import { ensureNotebookPython } from '../testing/notebookPython';
import { cleanupComponentRuns, runComponent } from '../testing/runComponent';
import { NOTEBOOK_PYTHON_SETTING } from './notebookPython';
import { runNotebook } from './runNotebook';

const root = path.resolve(import.meta.dirname, '../..');
const fixtures = path.join(root, 'components/testing/fixtures/notebooks');

const tools = ensureNotebookPython();
if (tools.reason) console.warn(`skipping the notebook tests that run papermill: ${tools.reason}`);

const saved = { python: process.env[NOTEBOOK_PYTHON_SETTING], roots: process.env[DATA_ROOTS_SETTING] };
beforeAll(() => {
  if (tools.python) process.env[NOTEBOOK_PYTHON_SETTING] = tools.python;
  process.env[DATA_ROOTS_SETTING] = root;
});
afterEach(() => {
  if (tools.python) process.env[NOTEBOOK_PYTHON_SETTING] = tools.python;
});
afterAll(async () => {
  for (const [key, value] of [[NOTEBOOK_PYTHON_SETTING, saved.python], [DATA_ROOTS_SETTING, saved.roots]] as const) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  await cleanupComponentRuns();
});

const logText = (run: { logs: { message: string }[] }) => run.logs.map((l) => l.message).join('\n');

/** The error a promise rejects with (fails the test if it resolves). */
async function rejection(p: Promise<unknown>): Promise<Error & { code?: string; retryable?: boolean }> {
  try {
    await p;
  } catch (e) {
    return e as Error & { code?: string };
  }
  throw new Error('expected the run to fail, but it succeeded');
}

describe('run-notebook: what it refuses before starting Python', () => {
  it('refuses a notebook outside the data roots, naming the setting that allows more', async () => {
    const err = await rejection(runComponent(runNotebook, { notebook: '/etc/hostname' }));
    expect(err.code).toBe('source-file-outside-roots');
    expect(err.message).toContain('SLUICE_DATA_ROOTS');
    const escape = await rejection(runComponent(runNotebook, { notebook: '../outside.ipynb' }));
    expect(escape.code).toBe('source-file-outside-roots');
  });

  it('refuses a file that is not a notebook and parameters that are not an object of Python names', async () => {
    expect((await rejection(runComponent(runNotebook, { notebook: 'package.json' }))).code).toBe('invalid-notebook');
    const nb = path.join(fixtures, 'failing-cell.ipynb');
    expect((await rejection(runComponent(runNotebook, { notebook: nb, parameters: [1, 2] }))).code).toBe('invalid-notebook');
    const bad = await rejection(runComponent(runNotebook, { notebook: nb, parameters: { 'not-a-name': 1 } }));
    expect(bad.message).toContain('"not-a-name"');
  });

  it('says which Python it looked for, and how to get one, when it does not exist', async () => {
    process.env[NOTEBOOK_PYTHON_SETTING] = '/nonexistent/python3';
    const err = await rejection(runComponent(runNotebook, { notebook: path.join(fixtures, 'failing-cell.ipynb') }));
    expect(err.code).toBe('notebook-python-not-found');
    expect(err.retryable).toBe(false);
    expect(err.message).toContain('scripts/ensure-notebook.sh');
  });
});

describe.skipIf(!tools.python)('run-notebook with papermill', () => {
  it('injects the parameters and the dataset path, and outputs the executed notebook and its HTML', async () => {
    const iris = await runComponent(loadIris, {});
    const run = await runComponent(runNotebook, {
      notebook: 'examples/notebooks/iris-summary.ipynb',
      parameters: { title: 'Iris by class', decimals: 3 },
      dataset: iris.outputs.dataset.path,
    });
    expect(run.result.codeCells).toBeGreaterThan(3);

    const executed = JSON.parse(await readFile(run.outputs.executed.path, 'utf8')) as { cells: { source: string | string[]; metadata: { tags?: string[] }; outputs?: unknown[] }[] };
    const injected = executed.cells.find((c) => c.metadata.tags?.includes('injected-parameters'));
    const injectedSource = [injected?.source ?? ''].flat().join('');
    expect(injectedSource).toContain('title = "Iris by class"');
    expect(injectedSource).toContain(`dataset_path = "${iris.outputs.dataset.path}"`);

    const html = await readFile(run.outputs.html.path, 'utf8');
    // Computed by the notebook from the injected dataset, formatted with the injected decimals.
    expect(html).toContain('rows: 150');
    expect(html).toContain('longest mean petal: virginica (5.552 cm)');
    expect(html).toContain('Iris by class');
    expect(html.length).toBeLessThan(256 * 1024); // the run view's preview reads 256 kB
    expect(run.outputs.executed.properties).toMatchObject({ format: 'ipynb', source: 'examples/notebooks/iris-summary.ipynb' });
    // The cells' output reached the task log as it came.
    expect(logText(run)).toContain('rows: 150');
  });

  it('fails on a cell that raises, not retryable, with the cell and its traceback in the task log', async () => {
    const logs: string[] = [];
    const err = await rejection(
      runComponent(runNotebook, { notebook: path.join(fixtures, 'failing-cell.ipynb'), parameters: { divisor: 0 } }, { onLog: (m) => logs.push(m) }),
    );
    expect(err.code).toBe('notebook-cell-failed');
    expect(err.retryable).toBe(false);
    expect(err.message).toMatch(/cell In \[\d+\] raised ZeroDivisionError: division by zero/);
    expect(err.message).toContain('def ratio(x):');
    const text = logs.join('\n');
    expect(text).toContain('before the failing cell'); // earlier cells' output, streamed
    expect(text).toMatch(/cell In \[\d+\] \(cell \d+ of the executed notebook\) raised ZeroDivisionError: division by zero/);
    expect(text).toContain('return x / divisor'); // a frame of the traceback
    expect(text).not.toContain('\u001b['); // colours removed
    expect(text).not.toContain('never reached');
  });

  it('says how to install papermill when the worker\'s Python lacks it, not retryable', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'sluice-notebook-bare-'));
    try {
      // The same Python without its site-packages (-S): only the standard library.
      const bare = path.join(dir, 'python');
      await writeFile(bare, `#!/bin/sh\nexec '${tools.python}' -S "$@"\n`, { mode: 0o755 });
      process.env[NOTEBOOK_PYTHON_SETTING] = bare;
      const err = await rejection(runComponent(runNotebook, { notebook: path.join(fixtures, 'failing-cell.ipynb') }));
      expect(err.code).toBe('notebook-tools-missing');
      expect(err.retryable).toBe(false);
      expect(err.message).toContain('lacks papermill, nbconvert, ipykernel');
      expect(err.message).toContain("-m pip install 'papermill==");
      expect(err.message).toContain('SLUICE_NOTEBOOK_PYTHON');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('stops papermill and its kernel when the task is cancelled', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'sluice-notebook-cancel-'));
    try {
      const pidFile = path.join(dir, 'kernel.pid');
      const abort = new AbortController();
      const running = rejection(runComponent(runNotebook, { notebook: path.join(fixtures, 'sleeps.ipynb'), parameters: { pid_file: pidFile } }, { signal: abort.signal }));
      // The kernel writes its pid, then sleeps for ten minutes.
      while (!existsSync(pidFile)) await new Promise((r) => setTimeout(r, 100));
      const kernelPid = Number(await readFile(pidFile, 'utf8'));
      abort.abort();
      const err = await running;
      expect(err.code).toBe('notebook-cancelled');
      const alive = () => {
        try {
          process.kill(kernelPid, 0);
          return true;
        } catch {
          return false;
        }
      };
      // The kernel sees its parent gone within its poll interval (about a second).
      for (let i = 0; i < 100 && alive(); i++) await new Promise((r) => setTimeout(r, 100));
      expect(alive()).toBe(false);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
