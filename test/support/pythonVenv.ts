/**
 * For tests that drive a real Python client: the python of a virtualenv an `scripts/ensure-*.sh`
 * script makes (once), and a way to run it. `reason` says why there is none: python3 or its venv
 * module is missing here (the script's exit 2); any other failure (pip) throws.
 */
import { execFileSync, spawn } from 'node:child_process';
import path from 'node:path';
import { projectRoot } from '../../engine/paths';

export function ensureVenvPython(script: string): { python?: string; reason?: string } {
  try {
    return { python: execFileSync('bash', [path.join(projectRoot, 'scripts', script)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim() };
  } catch (e) {
    if ((e as { status?: number }).status === 2) return { reason: (e as { stderr?: Buffer | string }).stderr?.toString().trim() ?? 'unknown' };
    throw e;
  }
}

export function runPython(python: string, args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(python, args, { env: { ...process.env, ...env, PYTHONUNBUFFERED: '1' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}
