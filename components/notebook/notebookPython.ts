/**
 * Which Python runs notebooks on this worker: the one named by `SLUICE_NOTEBOOK_PYTHON`, else
 * `python3` on PATH. It needs papermill, nbconvert and ipykernel; its kernel runs the notebook.
 */
import { NOTEBOOK_MODULES } from './papermillDriver';

/** The setting naming the Python that runs notebooks (an executable path, or a name on PATH). */
export const NOTEBOOK_PYTHON_SETTING = 'SLUICE_NOTEBOOK_PYTHON';

export function notebookPython(env: NodeJS.ProcessEnv = process.env): string {
  const set = env[NOTEBOOK_PYTHON_SETTING]?.trim();
  return set !== undefined && set !== '' ? set : 'python3';
}

/** What a person does to give the worker a Python that can run notebooks. */
export function installAdvice(python: string): string {
  return (
    `install them into it (${python} -m pip install ${NOTEBOOK_MODULES.join(' ')}), or point ${NOTEBOOK_PYTHON_SETTING} ` +
    `on the worker at a Python that has them (bash scripts/ensure-notebook.sh makes a virtualenv with the tested versions and prints its python)`
  );
}
