/**
 * The `sluice` CLI as a user runs it: real processes, a real embedded stack per command, a
 * throwaway state directory. Exit codes and messages are part of the contract.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonDepthProblem, MAX_JSON_DEPTH } from '../../dsl/ir/parseIrJson';
import { projectRoot } from '../../engine/paths';

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

let home: string;
/** Files the tests write (kept out of SLUICE_HOME, whose contents one test checks). */
let scratch: string;
const sluice = (...args: string[]): Promise<Result> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(projectRoot, 'bin', 'sluice.js'), ...args], {
      cwd: projectRoot,
      env: {
        ...process.env,
        SLUICE_HOME: home,
        SLUICE_CACHE_DIR: path.join(projectRoot, '.sluice', 'cache'),
        DATABASE_URL: '',
        TEMPORAL_ADDRESS: '',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });

beforeAll(async () => {
  home = await mkdtemp(path.join(os.tmpdir(), 'sluice-cli-'));
  scratch = await mkdtemp(path.join(os.tmpdir(), 'sluice-cli-files-'));
});
afterAll(async () => {
  await rm(home, { recursive: true, force: true });
  await rm(scratch, { recursive: true, force: true });
});

describe('sluice compile', () => {
  it('prints the IR of a valid pipeline', async () => {
    const r = await sluice('compile', 'examples/iris.ts');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const ir = JSON.parse(r.stdout) as { apiVersion: string; dag: { tasks: Record<string, unknown> } };
    expect(ir.apiVersion).toBe('sluice/v1');
    // The example's chain, in the order it is written.
    expect(Object.keys(ir.dag.tasks)).toEqual(
      expect.arrayContaining(['load-iris', 'validate-schema', 'split', 'standardize', 'train-classifier', 'evaluate-classifier', 'export-onnx', 'batch-inference']),
    );
    const keys = Object.keys(ir.dag.tasks);
    expect(keys.indexOf('load-iris')).toBeLessThan(keys.indexOf('train-classifier'));
  });

  it('lists every error with its task and port and exits 1', async () => {
    const r = await sluice('compile', 'test/fixtures/invalid.ts');
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    const lines = r.stderr.split('\n');
    expect(lines[0]).toBe('error: invalid pipeline (4 problems)');
    const expectLine = (re: RegExp): void => {
      expect(lines.some((l) => re.test(l)), `stderr has ${re}:\n${r.stderr}`).toBe(true);
    };
    expectLine(/pipeline "invalid", task "fit-a", port "data": required artifact input "data" \(Dataset\).* is not set — connect it/);
    expectLine(/task "fit-a", port "epochs": output "label" of task "make": parameter type string does not match int — connect an output of type int/);
    expectLine(/task "fit-b", port "epochs": value does not fit type int: expected an integer, got the number 2.5/);
    expectLine(/task "fit-b", port "rate": output "data" of task "make": an artifact \(Dataset\) cannot feed a parameter input \(float\)/);
  });

  it('refuses the invalid pipeline when its module is merely run (tsx invalid.ts), before anything else', async () => {
    const r = await new Promise<Result>((resolve, reject) => {
      const child = spawn(process.execPath, ['--conditions=sluice-source', '--import', 'tsx', 'test/fixtures/invalid.ts'], { cwd: projectRoot, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("code: 'invalid-pipeline'");
    expect(r.stderr).toMatch(/pipeline "invalid", task "fit-b", port "epochs": value does not fit type int: expected an integer, got the number 2\.5/);
  });

  it('refuses an IR file with a duplicated task id, naming the line', async () => {
    const good = JSON.parse((await sluice('compile', 'test/fixtures/diamond.ts')).stdout) as { dag: { tasks: Record<string, unknown> } };
    const text = JSON.stringify(good, null, 2).replace('"right": {', '"left": {');
    const file = path.join(home, 'dup.json');
    await writeFile(file, text);
    const r = await sluice('compile', file);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/task "left": .*dup\.json:\d+: "left" appears twice in dag\.tasks — give each task its own id/);
  });

  // Issue 11 #7: a 200 KB, 100,000-deep file took 4.2 GB and 24 s, then died (exit 134).
  it('refuses a deeply nested file before parsing it, with the limit the API uses', async () => {
    const file = path.join(scratch, 'deep.json');
    await writeFile(file, `${'['.repeat(100_000)}${']'.repeat(100_000)}`);
    const r = await sluice('compile', file);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`deep.json ${jsonDepthProblem('['.repeat(MAX_JSON_DEPTH + 1))}`);
  });

  // Issue 11 #3: NUL cannot be stored by PostgreSQL; refused in the file, naming the field.
  it('refuses an IR file holding a NUL character, naming the field', async () => {
    const ir = JSON.parse((await sluice('compile', 'test/fixtures/diamond.ts')).stdout) as Record<string, unknown>;
    const file = path.join(scratch, 'nul.json');
    await writeFile(file, JSON.stringify({ ...ir, description: 'a\u0000b' }));
    const r = await sluice('compile', file);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('description contains a NUL character (\\u0000), which cannot be stored');
  });

  it('says what is wrong with a missing file', async () => {
    const r = await sluice('compile', 'nope.ts');
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('error: cannot read nope.ts: no such file\n');
  });
});

describe('sluice rollout', () => {
  it('refuses a --key that is no header name, and a --key with --shadow, before reaching any server', async () => {
    const bad = await sluice('rollout', 'iris', '--to', 'challenger', '--key', 'user id');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('--key "user id": must be an HTTP header name');
    const shadow = await sluice('rollout', 'iris', '--to', 'challenger', '--shadow', '--key', 'x-user-id');
    expect(shadow.code).toBe(1);
    expect(shadow.stderr).toContain('--key keys a split, and --shadow splits nothing');
  });
});

describe('sluice run', () => {
  it('refuses unknown parameters and values of the wrong type before starting anything', async () => {
    const r = await sluice('run', 'test/fixtures/diamond.ts', '--param', 'n=ten', '--param', 'size=3');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('parameter "n" (int): expected an integer, got "ten"');
    expect(r.stderr).toContain('unknown parameter "size"; this pipeline takes: n (int), failWith (string)');
    // No stack was started: no metadata db, no Temporal db.
    expect((await readdir(home)).filter((f) => f !== 'dup.json')).toEqual([]);
  });

  it('refuses a parameter holding a NUL character before starting anything', async () => {
    const ir = JSON.parse((await sluice('compile', 'test/fixtures/diamond.ts')).stdout) as { inputs: Record<string, unknown> };
    ir.inputs.cfg = { kind: 'parameter', type: 'json', optional: true };
    const file = path.join(scratch, 'with-cfg.json');
    await writeFile(file, JSON.stringify(ir));
    const r = await sluice('run', file, '--param', 'cfg={"a":"\\u0000"}');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('parameter "cfg" at /a contains a NUL character (\\u0000), which cannot be stored');
    expect((await readdir(home)).filter((f) => f !== 'dup.json')).toEqual([]);
  });

  it('reports a failing task by name with its error and exits 1', async () => {
    const r = await sluice('run', 'test/fixtures/diamond.ts', '--param', 'failWith=disk full');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/✗ join failed .*: disk full/);
    expect(r.stdout).toMatch(/run ([0-9a-f]{12}) failed: task "join" failed: disk full\nretry from the failed step: npx sluice runs retry \1\n$/);
  });

  it('runs the iris example to succeeded; runs list/show and lineage read it back, with a second run folded in as reuse', async () => {
    const r = await sluice('run', 'examples/iris.ts', '--param', 'epochs=60');
    expect(r.code, r.stderr).toBe(0);
    const runId = /run ([0-9a-f]{12}) succeeded/.exec(r.stdout)?.[1];
    expect(runId, r.stdout).toBeTruthy();
    for (const task of ['load-iris', 'split', 'train-classifier', 'evaluate-classifier']) {
      expect(r.stdout).toContain(`✓ ${task} succeeded`);
    }
    // The artifacts are counted, not listed (a line each pushed everything else off the screen).
    expect(r.stdout).toMatch(new RegExp(`^artifacts: \\d+ · listed by: npx sluice runs show ${runId}$`, 'm'));
    expect(r.stdout).not.toContain('artifacts/sha256/');
    expect(r.stdout).toMatch(new RegExp(`^inspect: npx sluice runs show ${runId} {3}trace: npx sluice lineage ${runId}\\.train-classifier\\.model$`, 'm'));
    // TensorFlow.js's "install our node backend" banner stays out of the terminal.
    expect(r.stdout + r.stderr).not.toContain('TensorFlow.js in Node.js');

    const list = await sluice('runs', 'list', '--json');
    const runs = JSON.parse(list.stdout) as { id: string; status: string }[];
    expect(runs.find((x) => x.id === runId)?.status).toBe('succeeded');

    const show = await sluice('runs', 'show', runId ?? '');
    expect(show.code).toBe(0);
    expect(show.stdout).toContain(`run ${runId}  pipeline iris  succeeded`);
    expect(show.stdout).toMatch(/train-classifier\s+train-classifier\s+succeeded\s+1/);

    const modelId = `${runId}.train-classifier.model`;
    const lineage = await sluice('lineage', modelId);
    expect(lineage.code).toBe(0);
    expect(lineage.stdout).toMatch(/^Model train-classifier\.model/);
    expect(lineage.stdout).toMatch(/produced \(model\) by train-classifier \(task train-classifier.*params: .*epochs=60/);
    expect(lineage.stdout).toMatch(/produced \(dataset\) by load-iris/);
    expect(lineage.stdout).toMatch(/read \(model\) by evaluate-classifier/);

    // The same run again reuses every step from the cache: the model keeps its one producer, and
    // the reuse is folded into it, listed with --reuse.
    const again = await sluice('run', 'examples/iris.ts', '--param', 'epochs=60');
    expect(again.code, again.stderr).toBe(0);
    const againId = /run ([0-9a-f]{12}) succeeded/.exec(again.stdout)?.[1] ?? '';
    const folded = await sluice('lineage', modelId, '--reuse');
    expect(folded.stdout.match(/produced \(model\) by/g)).toHaveLength(1);
    expect(folded.stdout).toMatch(/produced \(model\) by train-classifier \(task train-classifier, run \w+, succeeded, reused by 1 run\)/);
    expect(folded.stdout).toContain(`↺ reused by train-classifier (task train-classifier, run ${againId}, cached, reused from ${runId}.train-classifier)`);

    const missing = await sluice('runs', 'show', 'nope');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe('error: no run with id "nope" (list them with: sluice runs list)\n');
  }, 600_000); // two runs and five more CLI processes, each starting a stack (minutes on a loaded machine)
});
