/**
 * Which Python runs notebooks on this worker: the one named by `SLUICE_NOTEBOOK_PYTHON`, else
 * `python3` on PATH. It needs papermill, nbconvert and ipykernel; its kernel runs the notebook.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { NOTEBOOK_REQUIREMENTS } from './papermillDriver';

/** The setting naming the Python that runs notebooks (an executable path, or a name on PATH). */
export const NOTEBOOK_PYTHON_SETTING = 'SLUICE_NOTEBOOK_PYTHON';

export function notebookPython(env: NodeJS.ProcessEnv = process.env): string {
  const set = env[NOTEBOOK_PYTHON_SETTING]?.trim();
  return set !== undefined && set !== '' ? set : 'python3';
}

/**
 * scripts/ensure-notebook.sh of the Sluice checkout this code runs from, or null: the packed npm
 * package does not ship it, so an installed user must not be sent to it. Looked for up to the
 * nearest package.json (the checkout's or the installed package's root), never above.
 */
export function notebookSetupScript(from: string = path.dirname(fileURLToPath(import.meta.url))): string | null {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const script = path.join(dir, 'scripts', 'ensure-notebook.sh');
    if (existsSync(script)) return script;
    if (existsSync(path.join(dir, 'package.json')) || path.dirname(dir) === dir) return null;
  }
}

/** What a person does to give the worker a Python that can run notebooks (`script`: the setup script, if there is one). */
export function installAdvice(python: string, script: string | null = notebookSetupScript()): string {
  const pins = NOTEBOOK_REQUIREMENTS.map((r) => `'${r}'`).join(' ');
  const pip = `${python} -m pip install ${pins}`;
  const venv =
    script !== null
      ? `bash ${script} makes a virtualenv with them and prints its python`
      : `e.g. python3 -m venv ~/.sluice-notebook && ~/.sluice-notebook/bin/pip install ${pins}, then ${NOTEBOOK_PYTHON_SETTING}=~/.sluice-notebook/bin/python`;
  return `install them into it (${pip}; these are the tested versions), or point ${NOTEBOOK_PYTHON_SETTING} on the worker at a Python that has them (${venv})`;
}
