/**
 * Where an installed package finds the Temporal CLI (scripts/ensure-temporal.sh run from a copy laid
 * out as in node_modules/sluice: no checkout around it): TEMPORAL_CLI, then PATH, then its build in
 * the per-user cache — never in the user's repository — and, with none of those and no Go, a
 * message that says what to install.
 */
import { execFile } from 'node:child_process';
import { chmod, copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../engine/paths';

const exec = promisify(execFile);

let tmp = '';
let script = '';
/** A PATH with the shell's tools but neither `temporal` nor `go`. */
const BARE_PATH = '/usr/bin:/bin';

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'sluice-ensure-temporal-'));
  const installed = path.join(tmp, 'project', 'node_modules', 'sluice');
  await mkdir(path.join(installed, 'scripts'), { recursive: true });
  script = path.join(installed, 'scripts', 'ensure-temporal.sh');
  await copyFile(path.join(projectRoot, 'scripts', 'ensure-temporal.sh'), script);
});

afterAll(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

async function ensure(env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await exec('bash', [script], { env: { PATH: BARE_PATH, HOME: path.join(tmp, 'home'), ...env } });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

describe('the Temporal CLI of an installed package', () => {
  it('without one and without Go, says what to install and where it would be built (the per-user cache)', async () => {
    const r = await ensure({});
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Go is not installed/);
    expect(r.stderr).toMatch(/https:\/\/go\.dev\/doc\/install/);
    expect(r.stderr).toContain(path.join(tmp, 'home', '.cache', 'sluice', 'bin'));
    expect(r.stderr).toMatch(/TEMPORAL_CLI/);
  });

  it('uses the one built into the per-user cache, then TEMPORAL_CLI before it', async () => {
    const cache = path.join(tmp, 'xdg-cache');
    const built = path.join(cache, 'sluice', 'bin', 'temporal');
    await mkdir(path.dirname(built), { recursive: true });
    await writeFile(built, '#!/bin/sh\n');
    await chmod(built, 0o755);
    expect((await ensure({ XDG_CACHE_HOME: cache })).stdout.trim()).toBe(built);
    const chosen = path.join(tmp, 'temporal-of-mine');
    await writeFile(chosen, '#!/bin/sh\n');
    await chmod(chosen, 0o755);
    expect((await ensure({ XDG_CACHE_HOME: cache, TEMPORAL_CLI: chosen })).stdout.trim()).toBe(chosen);
  });
});
