/**
 * `run-notebook`: executes a parameterised Jupyter notebook with papermill on a kernel of the
 * worker's Python, and outputs the executed notebook and its HTML rendering (nbconvert). Input
 * datasets reach the notebook as parameters holding their local paths. A cell that raises fails the
 * task, its cell and traceback in the task log.
 */
import { copyFile, readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { component, t, type Json } from 'sluice/dsl';
import { resolveSourcePath } from '../data/sourceFile';
import { InvalidNotebookError, NotebookCellError, NotebookFailedError, NotebookToolsMissingError } from './notebookErrors';
import { installAdvice, notebookPython } from './notebookPython';
import { runPapermill } from './runPapermill';

/** Parameter names the component sets itself: one per dataset input, holding its local path. */
export const DATASET_PARAMETERS = { dataset: 'dataset_path', otherDataset: 'other_dataset_path' } as const;

/** The notebook's JSON, checked enough that papermill's own errors about its shape cannot occur. */
async function checkNotebook(real: string, path: string): Promise<void> {
  let value: unknown;
  try {
    value = JSON.parse(await readFile(real, 'utf8'));
  } catch (err) {
    throw new InvalidNotebookError(`run-notebook: ${path} is not a Jupyter notebook: not valid JSON (${err instanceof Error ? err.message : String(err)})`);
  }
  const nb = value as { cells?: unknown; nbformat?: unknown };
  if (typeof value !== 'object' || value === null || !Array.isArray(nb.cells) || nb.nbformat !== 4) {
    throw new InvalidNotebookError(`run-notebook: ${path} is not a Jupyter notebook in format 4 (a JSON object with "nbformat": 4 and "cells"); save it from Jupyter 4 or later`);
  }
}

function checkParameters(value: Json, datasetParams: readonly string[]): Record<string, Json> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidNotebookError(`run-notebook: parameters must be a JSON object of name → value (e.g. {"epochs": 10}), got ${JSON.stringify(value)}`);
  }
  for (const name of Object.keys(value)) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      throw new InvalidNotebookError(`run-notebook: parameter "${name}" is not a Python variable name (letters, digits and _, not starting with a digit)`);
    }
    if (datasetParams.includes(name)) {
      throw new InvalidNotebookError(`run-notebook: parameter "${name}" is set by the component from its dataset input; rename it`);
    }
  }
  return value;
}

export const runNotebook = component({
  name: 'run-notebook',
  description: 'Runs a parameterised Jupyter notebook with papermill on the worker\'s Python and outputs the executed notebook and an HTML rendering.',
  category: 'notebook',
  module: 'sluice/components',
  export: 'runNotebook',
  inputs: {
    notebook: t.string({
      description:
        "the .ipynb file, inside the worker's data roots (SLUICE_DATA_ROOTS, default its working directory; relative paths resolve from that directory); it runs in its own directory",
    }),
    parameters: t.json({ default: {}, description: 'a JSON object: papermill injects each entry as a Python variable after the cell tagged "parameters"' }),
    dataset: t.Dataset({ optional: true, description: 'its local path is injected as the parameter dataset_path (a Sluice Dataset JSON file: columns, rows)' }),
    otherDataset: t.Dataset({ optional: true, description: 'its local path is injected as other_dataset_path' }),
    cellTimeoutSeconds: t.int({ optional: true, description: 'seconds a cell may run before the notebook fails (default: no limit)' }),
  },
  outputs: {
    executed: t.artifact('Notebook')({ description: 'the executed notebook (.ipynb) with every output and the injected parameters' }),
    html: t.HTML({ description: 'the executed notebook rendered by nbconvert' }),
    codeCells: t.int(),
  },
  // The key would hold the path, not the notebook's content: an edited notebook must run again.
  cache: false,
  run: async (inputs, ctx) => {
    const where = `run-notebook (${inputs.notebook})`;
    const real = await resolveSourcePath(inputs.notebook, 'run-notebook');
    await checkNotebook(real, inputs.notebook);
    const parameters: Record<string, Json> = { ...checkParameters(inputs.parameters, Object.values(DATASET_PARAMETERS)) };
    if (inputs.dataset) parameters[DATASET_PARAMETERS.dataset] = inputs.dataset.path;
    if (inputs.otherDataset) parameters[DATASET_PARAMETERS.otherDataset] = inputs.otherDataset.path;
    if (inputs.cellTimeoutSeconds !== undefined && !(inputs.cellTimeoutSeconds > 0)) {
      throw new InvalidNotebookError(`run-notebook: cellTimeoutSeconds must be a positive number of seconds, got ${inputs.cellTimeoutSeconds}`);
    }

    const python = notebookPython();
    const executedFile = join(ctx.workDir, 'executed.ipynb');
    ctx.log(`running ${inputs.notebook} with papermill (${python})`, { parameters: Object.keys(parameters) });
    const result = await runPapermill({
      python,
      where,
      workDir: ctx.workDir,
      signal: ctx.signal,
      onLine: (stream, line) => ctx.log(line, { stream }),
      request: {
        input: real,
        // papermill wants the .ipynb extension (it warns otherwise); copied to the output below.
        output: executedFile,
        html: ctx.outputs.html.path,
        parameters,
        cwd: dirname(real),
        jupyterDir: join(ctx.workDir, 'jupyter'),
        cellTimeoutSeconds: inputs.cellTimeoutSeconds ?? null,
        title: basename(inputs.notebook),
      },
    });

    switch (result.status) {
      case 'ok':
        await copyFile(executedFile, ctx.outputs.executed.path);
        ctx.outputs.executed.properties = { format: 'ipynb', source: inputs.notebook, parameters: inputs.parameters };
        ctx.outputs.html.properties = { source: inputs.notebook };
        return { codeCells: result.codeCells };
      case 'missing':
        throw new NotebookToolsMissingError(
          `${where}: the worker's Python for notebooks (${result.python}, Python ${result.version}) lacks ${result.modules.join(', ')}: ${installAdvice(result.python)}`,
        );
      case 'cell': {
        // papermill's log counts cells from 1 ("Executing Cell 3"); so does this message.
        const position = result.cellIndex + 1;
        const cell = result.executionCount !== null ? `cell In [${result.executionCount}]` : `cell ${position}`;
        const firstLine = result.source.split('\n').find((l) => l.trim() !== '') ?? '';
        ctx.log(`${cell} (cell ${position} of the executed notebook) raised ${result.ename}: ${result.evalue}`, {
          cellIndex: result.cellIndex,
          executionCount: result.executionCount,
          ename: result.ename,
          evalue: result.evalue,
        });
        // Each traceback entry may hold several lines, coloured by IPython.
        for (const entry of result.traceback) for (const line of stripVTControlCharacters(entry).split('\n')) ctx.log(line, { stream: 'traceback' });
        throw new NotebookCellError(
          `${where}: ${cell} raised ${result.ename}: ${result.evalue} (its code begins: ${firstLine.trim().slice(0, 120)}); the traceback is in the task log`,
          result.cellIndex,
          result.executionCount,
          result.ename,
        );
      }
      case 'error':
        // A kernel that died (out of memory?) or a broken notebook file: papermill's traceback is in the log.
        throw new NotebookFailedError(`${where}: papermill stopped with ${result.type}: ${result.message}`);
    }
  },
});
