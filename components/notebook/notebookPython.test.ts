/**
 * The advice of the missing-papermill errors: an installed package ships no scripts/, so the advice
 * must work from pip alone (with the tested versions) and name the script only where it exists.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { installAdvice, notebookSetupScript } from './notebookPython';
import { NOTEBOOK_REQUIREMENTS } from './papermillDriver';

const script = path.resolve(import.meta.dirname, '../../scripts/ensure-notebook.sh');

describe('installAdvice', () => {
  it('gives an installed user a pip command with the tested versions and no script it does not have', () => {
    const advice = installAdvice('/opt/py/bin/python', null);
    expect(advice).toContain("/opt/py/bin/python -m pip install 'papermill==2.7.0' 'nbconvert==7.17.2' 'ipykernel==7.4.0'");
    expect(advice).toContain('SLUICE_NOTEBOOK_PYTHON=~/.sluice-notebook/bin/python');
    expect(advice).not.toContain('ensure-notebook.sh');
  });

  it('names the setup script where it exists (a checkout of Sluice)', () => {
    expect(notebookSetupScript()).toBe(script);
    expect(installAdvice('python3')).toContain(`bash ${script}`);
  });

  it('pins the same versions as scripts/ensure-notebook.sh', () => {
    const pinned = [...readFileSync(script, 'utf8').matchAll(/"([a-z]+==[\d.]+)"/g)].map((m) => m[1]);
    expect(pinned).toEqual([...NOTEBOOK_REQUIREMENTS]);
  });
});
