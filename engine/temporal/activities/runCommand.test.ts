/**
 * runCommand with real processes (python3, sh): placeholders, output parameters, streamed lines,
 * failures, cancellation of a whole process group, and the sources digest.
 */
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { command } from '../../../dsl/command';
import type { ComponentSpec } from '../../../dsl/ir/schema';
import { t } from '../../../dsl/ports';
import type { InputArtifact, OutputArtifact } from '../../../dsl/runtime';
import {
  CommandCancelledError,
  CommandFailedError,
  CommandNotFoundError,
  CommandOutputError,
  CommandSpecError,
  commandSourcesDigest,
  runCommand,
  type RunCommandOptions,
} from './runCommand';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const fixtures = 'test/fixtures/commands';
const where = 'task "train" (component "train-py")';
/**
 * What the stop tests' commands sleep, far past the test timeout (vitest.config.ts): a command
 * waited for instead of stopped fails its test by that timeout, without a clock in the test.
 */
const LONGER_THAN_THE_TEST = 3600;

let tmp: string;
beforeEach(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'sluice-runcommand-'));
  await mkdir(path.join(tmp, 'work'));
});
afterEach(async () => {
  await rm(tmp, { recursive: true, force: true });
});

function artifact(p: string, type = 'Dataset'): InputArtifact {
  return { id: `a-${path.basename(p)}`, type, uri: `file://${p}`, path: p, sha256: '0'.repeat(64), size: 0, properties: {} };
}
function output(port: string, type: string): OutputArtifact {
  return { path: path.join(tmp, 'out', port), type, properties: {} };
}

/** Runs a spec with defaults for everything the test does not care about; collects the lines. */
async function run(spec: ComponentSpec, o: Partial<RunCommandOptions> = {}) {
  const lines: { stream: 'stdout' | 'stderr'; line: string }[] = [];
  const params = await runCommand({
    spec,
    where,
    inputs: {},
    outputs: {},
    workDir: path.join(tmp, 'work'),
    projectRoot: repoRoot,
    signal: new AbortController().signal,
    onLine: (stream, line) => lines.push({ stream, line }),
    ...o,
  });
  return { params, lines, stdout: lines.filter((l) => l.stream === 'stdout').map((l) => l.line), stderr: lines.filter((l) => l.stream === 'stderr').map((l) => l.line) };
}

const trainPy = command({
  name: 'train-py',
  inputs: { data: t.Dataset(), epochs: t.int({ default: 2 }) },
  outputs: { model: t.Model(), score: t.float() },
  command: (ph) => [
    'python3',
    `${fixtures}/train.py`,
    ph.inputPath('data'),
    `--epochs=${ph.inputValue('epochs')}`,
    '--model',
    ph.outputPath('model'),
    '--score',
    ph.outputFile('score'),
  ],
  sources: [`${fixtures}/train.py`],
});

/** A command that writes its own argv (after the output file) as JSON into output "args". */
function argvEcho(inputs: ComponentSpec['inputs'], argv: string[]): ComponentSpec {
  const spec = command({
    name: 'argv',
    outputs: { args: t.json() },
    command: (ph) => ['python3', '-c', 'import json,sys; open(sys.argv[1],"w").write(json.dumps(sys.argv[2:]))', ph.outputFile('args')],
  }).spec;
  if (spec.impl.kind === 'command') spec.impl.command.push(...argv);
  return { ...spec, inputs };
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    // A zombie (not yet reaped by its new parent) is dead for our purpose.
    return !/^\d+ \(.*\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

describe('runCommand', () => {
  it('runs a Python script with input paths and values substituted, and parses its output parameter', async () => {
    const outputs = { model: output('model', 'Model') };
    const r = await run(trainPy.spec, {
      inputs: { data: artifact(path.join(repoRoot, fixtures, 'iris-mini.csv')), epochs: 3 },
      outputs,
    });
    expect(r.params).toEqual({ score: 0.43 });
    expect(JSON.parse(await readFile(outputs.model.path, 'utf8'))).toEqual({ rows: 4, epochs: 3, tags: [], extra: [] });
    expect(r.stdout).toEqual(['epoch 1/3', 'epoch 2/3', 'epoch 3/3']);
    expect(r.stderr).toEqual(['warning: this model is a toy']);
  });

  it('uses the default of a parameter input the task left unset', async () => {
    const r = await run(trainPy.spec, {
      inputs: { data: artifact(path.join(repoRoot, fixtures, 'iris-mini.csv')) },
      outputs: { model: output('model', 'Model') },
    });
    expect(r.stdout).toEqual(['epoch 1/2', 'epoch 2/2']);
  });

  it('expands values and lists, embedded or whole, and drops unset optional inputs', async () => {
    const inputs: ComponentSpec['inputs'] = {
      name: { kind: 'parameter', type: 'string' },
      n: { kind: 'parameter', type: 'int' },
      on: { kind: 'parameter', type: 'bool' },
      tags: { kind: 'parameter', type: 'list<string>' },
      cfg: { kind: 'parameter', type: 'json' },
      shards: { kind: 'artifact', type: 'Dataset', list: true },
      maybe: { kind: 'artifact', type: 'Dataset', optional: true },
      note: { kind: 'parameter', type: 'string', optional: true },
    };
    const spec = argvEcho(inputs, [
      '{{inputValue:name}}',
      '--n={{inputValue:n}}',
      '{{inputValue:on}}',
      '{{inputValue:tags}}',
      '{{inputValue:cfg}}',
      '{{inputPath:shards}}',
      '--shards={{inputPath:shards}}',
      '{{inputPath:maybe}}',
      '--note={{inputValue:note}}',
      '{{inputValue:note}}',
      'last',
    ]);
    const r = await run(spec, {
      inputs: {
        name: 'hello world',
        n: 7,
        on: true,
        tags: ['a', 'b c'],
        cfg: { lr: 0.1 },
        shards: [artifact('/data/s1.csv'), artifact('/data/s2.csv')],
      },
    });
    expect(r.params.args).toEqual([
      'hello world',
      '--n=7',
      'true',
      '["a","b c"]',
      '{"lr":0.1}',
      '/data/s1.csv',
      '/data/s2.csv',
      '--shards=/data/s1.csv,/data/s2.csv',
      '--note=',
      'last',
    ]);
  });

  it('parses parameter output files by their port type, and skips an optional one left unwritten', async () => {
    const spec = command({
      name: 'outs',
      outputs: { n: t.int(), ok: t.bool(), msg: t.string(), xs: t.list(t.int()), obj: t.json(), extra: t.float({ optional: true }) },
      command: (ph) => [
        'sh',
        '-c',
        'echo 42 > "$1"; echo true > "$2"; printf "hello world\\n" > "$3"; echo "[1, 2]" > "$4"; echo \'{"a": [1]}\' > "$5"',
        'sh',
        ph.outputFile('n'),
        ph.outputFile('ok'),
        ph.outputFile('msg'),
        ph.outputFile('xs'),
        ph.outputFile('obj'),
        ph.outputFile('extra'),
      ],
    }).spec;
    const r = await run(spec);
    expect(r.params).toEqual({ n: 42, ok: true, msg: 'hello world', xs: [1, 2], obj: { a: [1] } });
  });

  it('fails non-retryably, naming the output and the file, when an output parameter is missing or unparsable', async () => {
    const spec = command({
      name: 'bad-out',
      outputs: { score: t.float(), n: t.int() },
      command: (ph) => ['sh', '-c', 'echo "not a number" > "$1"', 'sh', ph.outputFile('score'), ph.outputFile('n')],
    }).spec;
    const err = await run(spec).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CommandOutputError);
    expect((err as CommandOutputError).retryable).toBe(false);
    expect((err as Error).message).toMatch(/^task "train" \(component "train-py"\): output "score": .*outputs\/score does not hold a valid float: expected a number/);

    const missing = command({ name: 'no-out', outputs: { n: t.int() }, command: (ph) => ['true', ph.outputFile('n')] }).spec;
    await expect(run(missing)).rejects.toThrow(/output "n": the command exited 0 but did not write \{\{outputFile:n\}\} \(.*outputs\/n\)/);
  });

  it('streams stdout and stderr lines as they arrive, flushing a last line without a newline', async () => {
    const spec = command({
      name: 'lines',
      command: () => ['sh', '-c', 'echo one; echo two >&2; printf "three\\r\\nfour"; printf "tail" >&2'],
    }).spec;
    const r = await run(spec);
    expect(r.stdout).toEqual(['one', 'three', 'four']);
    expect(r.stderr).toEqual(['two', 'tail']);
  });

  it('delivers lines while the command is still running', async () => {
    // The command prints "late" only once the test has seen "early" (and made the file it waits for).
    const seenEarly = path.join(tmp, 'seen-early');
    const script = `import os, time\nprint("early", flush=True)\nwhile not os.path.exists(${JSON.stringify(seenEarly)}): time.sleep(0.05)\nprint("late")`;
    const spec = command({ name: 'slow', command: () => ['python3', '-c', script] }).spec;
    const seen: string[] = [];
    await run(spec, {
      onLine: (_s, line) => {
        seen.push(line);
        if (line === 'early') writeFileSync(seenEarly, '');
      },
    });
    expect(seen).toEqual(['early', 'late']);
  });

  it('passes the component env, the worker env and SLUICE_WORK_DIR, and runs in workingDir', async () => {
    const spec = command({
      name: 'env',
      command: () => ['sh', '-c', 'echo "$SLUICE_WORK_DIR|$A|$B|$(pwd)"'],
      env: { A: 'from-spec', B: 'from-spec' },
      workingDir: fixtures,
    }).spec;
    const r = await run(spec, { env: { B: 'from-worker' } });
    expect(r.stdout).toEqual([`${path.join(tmp, 'work')}|from-spec|from-worker|${path.join(repoRoot, fixtures)}`]);
  });

  it('reports a non-zero exit with the tail of stderr, as a retryable error', async () => {
    const err = await run(trainPy.spec, {
      inputs: { data: artifact(path.join(repoRoot, fixtures, 'empty.csv')), epochs: 1 },
      outputs: { model: output('model', 'Model') },
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CommandFailedError);
    expect((err as CommandFailedError).retryable).toBe(true);
    expect((err as CommandFailedError).exitCode).toBe(3);
    expect((err as Error).message).toMatch(/^task "train" \(component "train-py"\): command exited with code 3: error: .*empty\.csv has no rows$/);
  });

  it('keeps only the last lines of stderr in the message', async () => {
    const spec = command({ name: 'noisy', command: () => ['sh', '-c', 'for i in $(seq 1 500); do echo "line $i" >&2; done; exit 1'] }).spec;
    const err = (await run(spec).catch((e: unknown) => e)) as CommandFailedError;
    expect(err.message).toMatch(/line 500$/);
    expect(err.message).toContain('line 481\n');
    expect(err.message).not.toContain('line 480\n');
    expect(err.stderrTail.length).toBeLessThanOrEqual(2048);
  });

  it('says which signal killed the command', async () => {
    const spec = command({ name: 'killed', command: () => ['sh', '-c', 'echo dying >&2; kill -9 $$'] }).spec;
    await expect(run(spec)).rejects.toThrow(/^task "train" \(component "train-py"\): command was killed by signal SIGKILL \(out of memory\?.*\): dying$/);
  });

  it('fails non-retryably, naming the task and the executable, when the executable does not exist', async () => {
    const spec = command({ name: 'missing', command: () => ['python9', 'train.py'] }).spec;
    const err = await run(spec).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CommandNotFoundError);
    expect((err as CommandNotFoundError).retryable).toBe(false);
    expect((err as Error).message).toMatch(
      /^task "train" \(component "train-py"\): executable "python9" was not found \(PATH=.+\); install it on the worker or fix the command$/,
    );
  });

  it('fails non-retryably on a working directory that does not exist or a placeholder the spec does not declare', async () => {
    const inDir = command({ name: 'dir', command: () => ['true'], workingDir: 'no/such/dir' }).spec;
    await expect(run(inDir)).rejects.toThrow(CommandSpecError);
    // IR written by hand (editor, API) is not checked by command(): the runtime reports it.
    const bad = argvEcho({}, ['{{inputPath:ghost}}']);
    await expect(run(bad)).rejects.toThrow(/^task "train" \(component "train-py"\): command \{\{inputPath:ghost\}\} names no artifact input/);
  });

  it('kills a long-running command when cancelled', async () => {
    const spec = command({ name: 'sleepy', command: () => ['python3', '-c', `import time; print("started", flush=True); time.sleep(${LONGER_THAN_THE_TEST})`] }).spec;
    const ac = new AbortController();
    const err = await run(spec, {
      signal: ac.signal,
      onLine: (_s, line) => line === 'started' && ac.abort(),
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CommandCancelledError);
    expect((err as Error).message).toMatch(/^task "train" \(component "train-py"\): cancelled/);
  });

  it('kills the children a cancelled command started, too (its whole process group)', async () => {
    const spec = command({ name: 'parent', command: () => ['sh', '-c', `sleep ${LONGER_THAN_THE_TEST} & echo "$!"; wait`] }).spec;
    const ac = new AbortController();
    let childPid = 0;
    await expect(
      run(spec, {
        signal: ac.signal,
        onLine: (_s, line) => {
          childPid = Number(line);
          ac.abort();
        },
      }),
    ).rejects.toThrow(CommandCancelledError);
    expect(childPid).toBeGreaterThan(0);
    await vi.waitFor(() => expect(processAlive(childPid)).toBe(false), { timeout: 10_000 });
  });

  it('stops background processes a command left behind when it exits, instead of waiting for them', async () => {
    const spec = command({ name: 'daemon', command: () => ['sh', '-c', `sleep ${LONGER_THAN_THE_TEST} & echo "$!"`] }).spec;
    const r = await run(spec);
    const pid = Number(r.stdout[0]);
    await vi.waitFor(() => expect(processAlive(pid)).toBe(false), { timeout: 10_000 });
  });

  it('does not start a command whose signal is already aborted', async () => {
    const ac = new AbortController();
    ac.abort();
    const spec = command({ name: 'never', command: () => ['sh', '-c', `touch ${tmp}/ran`] }).spec;
    await expect(run(spec, { signal: ac.signal })).rejects.toThrow(CommandCancelledError);
    await expect(readFile(path.join(tmp, 'ran'))).rejects.toThrow();
  });
});

describe('commandSourcesDigest', () => {
  it('changes when a source file changes, and is undefined without sources', async () => {
    const project = path.join(tmp, 'project');
    await mkdir(path.join(project, 'scripts', 'lib'), { recursive: true });
    await copyFile(path.join(repoRoot, fixtures, 'train.py'), path.join(project, 'scripts', 'train.py'));
    await writeFile(path.join(project, 'scripts', 'lib', 'util.py'), 'X = 1\n');
    const spec = command({
      name: 'train-py',
      command: () => ['python3', 'scripts/train.py'],
      sources: ['scripts/train.py'],
    }).spec;

    const first = await commandSourcesDigest(spec, project);
    expect(first).toMatch(/^[0-9a-f]{64}$/);
    expect(await commandSourcesDigest(spec, project)).toBe(first);
    await writeFile(path.join(project, 'scripts', 'train.py'), '# edited\n', { flag: 'a' });
    expect(await commandSourcesDigest(spec, project)).not.toBe(first);

    // A directory counts with every file under it.
    const dirSpec = command({ name: 'd', command: () => ['true'], sources: ['scripts'] }).spec;
    const dirDigest = await commandSourcesDigest(dirSpec, project);
    await writeFile(path.join(project, 'scripts', 'lib', 'util.py'), 'X = 2\n');
    expect(await commandSourcesDigest(dirSpec, project)).not.toBe(dirDigest);

    expect(await commandSourcesDigest(command({ name: 'n', command: () => ['true'] }).spec, project)).toBeUndefined();
  });

  it('names a source file that does not exist', async () => {
    const spec = command({ name: 'train-py', command: () => ['python3', 'gone.py'], sources: ['gone.py'] }).spec;
    await expect(commandSourcesDigest(spec, tmp)).rejects.toThrow(/component "train-py": source "gone\.py" was not found/);
  });
});
