/** Finds the Temporal CLI (the dev server lives in it), building it via scripts/ensure-temporal.sh when missing. */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { projectRoot } from '../../paths';

const run = promisify(execFile);

let cached: Promise<string> | undefined;

export function findTemporalCli(): Promise<string> {
  cached ??= (async () => {
    const script = path.join(projectRoot, 'scripts', 'ensure-temporal.sh');
    try {
      const { stdout } = await run('bash', [script], { maxBuffer: 1 << 20, timeout: 30 * 60_000 });
      const bin = stdout.trim().split('\n').pop();
      if (!bin) throw new Error('ensure-temporal.sh printed no path');
      return bin;
    } catch (e) {
      const err = e as { stderr?: string; message: string };
      throw new Error(`could not find or build the Temporal CLI: ${err.stderr?.trim() || err.message}`);
    }
  })();
  return cached;
}
