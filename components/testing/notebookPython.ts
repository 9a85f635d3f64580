/**
 * For tests that run notebooks: a Python with papermill, nbconvert and ipykernel —
 * SLUICE_NOTEBOOK_PYTHON when set (scripts/test.sh exports it), else the virtualenv
 * scripts/ensure-notebook.sh makes (once). `reason` says why there is none: python3 or its venv
 * module is missing here (the script's exit 2); any other failure (pip) throws.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';

export function ensureNotebookPython(): { python?: string; reason?: string } {
  const set = process.env.SLUICE_NOTEBOOK_PYTHON;
  if (set) return { python: set };
  const script = path.resolve(import.meta.dirname, '../../scripts/ensure-notebook.sh');
  try {
    return { python: execFileSync('bash', [script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim() };
  } catch (e) {
    if ((e as { status?: number }).status === 2) return { reason: ((e as { stderr?: Buffer | string }).stderr ?? '').toString().trim() };
    throw e;
  }
}
