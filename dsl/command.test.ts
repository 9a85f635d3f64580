/**
 * `command()`: placeholders are typed by port kind (wrong names are `tsc` errors, checked through
 * the `@ts-expect-error` lines below) and checked again at definition time (DslError).
 */
import { describe, expect, expectTypeOf, it } from 'vitest';
import { command, parseArg, type Placeholders } from './command';
import { DslError, NonRetryableError } from './errors';
import { componentSpecSchema } from './ir/schema';
import { t } from './ports';

const inputs = { data: t.Dataset(), epochs: t.int({ default: 3 }), note: t.string({ optional: true }) };
const outputs = { model: t.Model(), score: t.float() };

function train(argv: (ph: Placeholders<typeof inputs, typeof outputs>) => string[] = defaultArgv) {
  return command({ name: 'train-py', inputs, outputs, command: argv, sources: ['train.py'] });
}
const defaultArgv = (ph: Placeholders<typeof inputs, typeof outputs>) => [
  'python3',
  'train.py',
  ph.inputPath('data'),
  `--epochs=${ph.inputValue('epochs')}`,
  '--model',
  ph.outputPath('model'),
  '--score',
  ph.outputFile('score'),
];

describe('command()', () => {
  it('records the argv with placeholders, the sources and a digest in a valid component spec', () => {
    const c = train();
    expect(c.kind).toBe('component');
    expect(c.spec.impl).toEqual({
      kind: 'command',
      command: ['python3', 'train.py', '{{inputPath:data}}', '--epochs={{inputValue:epochs}}', '--model', '{{outputPath:model}}', '--score', '{{outputFile:score}}'],
      sources: ['train.py'],
      digest: expect.stringMatching(/^[0-9a-f]{64}$/) as unknown,
    });
    expect(componentSpecSchema.safeParse(c.spec).success).toBe(true);
    expect(c.spec.inputs.epochs).toEqual({ kind: 'parameter', type: 'int', default: 3 });
  });

  it('gives the same digest for the same command, and another one when command, env, dir or sources change', () => {
    type Changes = { name?: string; description?: string; flag?: string; env?: Record<string, string>; workingDir?: string; sources?: string[] };
    const digest = ({ flag, ...o }: Changes = {}) =>
      command({ name: 'c', outputs: { out: t.Dataset() }, command: (ph) => ['tool', ...(flag ? [flag] : []), ph.outputPath('out')], ...o }).spec.impl
        .digest;
    expect(digest()).toBe(digest());
    // The name and the descriptive fields are not the code.
    expect(digest({ name: 'other', description: 'x' })).toBe(digest());
    const changed = [
      digest({ flag: '--fast' }),
      digest({ env: { MODE: 'fast' } }),
      digest({ workingDir: 'scripts' }),
      digest({ sources: ['tool.py'] }),
    ];
    expect(new Set([digest(), ...changed]).size).toBe(5);
  });

  it('converts cache and execution options to IR', () => {
    const c = command({
      name: 'c',
      command: () => ['true'],
      cache: { maxAge: '1h' },
      retry: { maxAttempts: 2, initialInterval: '1s' },
      timeout: { attempt: '5m' },
      env: { A: '1' },
      workingDir: 'scripts',
    });
    expect(c.spec.cache).toEqual({ maxAgeMs: 3_600_000 });
    expect(c.spec.retry).toEqual({ maxAttempts: 2, initialIntervalMs: 1000 });
    expect(c.spec.timeout).toEqual({ attemptMs: 300_000 });
    expect(c.spec.impl).toMatchObject({ env: { A: '1' }, workingDir: 'scripts' });
    expect(command({ name: 'd', command: () => ['true'], cache: { enabled: false } }).spec.cache).toEqual({ enabled: false });
    expect(command({ name: 'd', command: () => ['true'], cache: false }).spec.cache).toEqual({ enabled: false });
  });

  it('has a run() that refuses to run in-process', () => {
    const c = train();
    expect(() => c.run({} as never, {} as never)).toThrow(NonRetryableError);
    expect(() => c.run({} as never, {} as never)).toThrow(/runs its command as a subprocess/);
  });

  it('types each placeholder builder by port kind and side', () => {
    type P = Placeholders<typeof inputs, typeof outputs>;
    expectTypeOf<Parameters<P['inputPath']>[0]>().toEqualTypeOf<'data'>();
    expectTypeOf<Parameters<P['inputValue']>[0]>().toEqualTypeOf<'epochs' | 'note'>();
    expectTypeOf<Parameters<P['outputPath']>[0]>().toEqualTypeOf<'model'>();
    expectTypeOf<Parameters<P['outputFile']>[0]>().toEqualTypeOf<'score'>();
  });

  it('rejects a placeholder of the wrong kind, at compile time and at definition time', () => {
    const withExtra = (extra: (ph: Placeholders<typeof inputs, typeof outputs>) => string) => () =>
      train((ph) => [...defaultArgv(ph), extra(ph)]);
    // @ts-expect-error epochs is a parameter: pass its value with ph.inputValue
    expect(withExtra((ph) => ph.inputPath('epochs'))).toThrow(/component "train-py": \{\{inputPath:epochs\}\}: "epochs" is a parameter input, not an artifact; use \{\{inputValue:epochs\}\}/);
    // @ts-expect-error data is an artifact: its path comes from ph.inputPath
    expect(withExtra((ph) => ph.inputValue('data'))).toThrow(DslError);
    // @ts-expect-error score is a parameter output: the command writes it to ph.outputFile
    expect(withExtra((ph) => ph.outputPath('score'))).toThrow(/use \{\{outputFile:score\}\}/);
    // @ts-expect-error model is an artifact output
    expect(withExtra((ph) => ph.outputFile('model'))).toThrow(DslError);
    // @ts-expect-error no input is called "dataset"
    expect(withExtra((ph) => ph.inputPath('dataset'))).toThrow(/\{\{inputPath:dataset\}\} names no artifact input \(artifact inputs: "data"\)/);
    // @ts-expect-error outputs are not inputs
    expect(withExtra((ph) => ph.inputPath('model'))).toThrow(DslError);
    // Written inline, the ports are inferred from `inputs`/`outputs` as well.
    expect(() =>
      command({
        name: 'inline',
        inputs: { data: t.Dataset(), n: t.int() },
        command: (ph) => [
          'tool',
          ph.inputPath('data'),
          // @ts-expect-error n is a parameter input
          ph.inputPath('n'),
        ],
      }),
    ).toThrow(DslError);
  });

  it('checks hand-written placeholders in argv strings too', () => {
    const run = (arg: string) => () => train((ph) => [...defaultArgv(ph), arg]);
    expect(run('--in={{inputPath:nope}}')).toThrow(/command component "train-py": \{\{inputPath:nope\}\} names no artifact input/);
    expect(run('{{inputpath:data}}')).toThrow(/unknown placeholder \{\{inputpath:data\}\}/);
    expect(run('{{outputFile:epochs}}')).toThrow(DslError);
    expect(run('--note={{inputValue:note}}')).not.toThrow();
  });

  it('requires every required artifact output and every parameter output in the command', () => {
    expect(() => train((ph) => ['python3', ph.outputPath('model')])).toThrow(
      /output "score" never appears in the command, so the command could never produce it; pass \{\{outputFile:score\}\}/,
    );
    expect(() => train((ph) => ['python3', ph.outputFile('score')])).toThrow(/output "model" never appears/);
    // An optional artifact output may be left out.
    expect(() => command({ name: 'o', outputs: { report: t.HTML({ optional: true }) }, command: () => ['true'] })).not.toThrow();
  });

  it('rejects an empty command, a bad name, placeholders in env and ports used on both sides', () => {
    expect(() => command({ name: 'e', command: () => [] })).toThrow(/the command is empty/);
    expect(() => command({ name: '9bad', command: () => ['true'] })).toThrow(/invalid name/);
    expect(() => command({ name: 'e', inputs: { x: t.Dataset() }, command: () => ['true'], env: { X: '{{inputPath:x}}' } })).toThrow(
      /env X holds a placeholder/,
    );
    expect(() => command({ name: 'e', inputs: { x: t.int() }, outputs: { x: t.int() }, command: () => ['true', '{{outputFile:x}}'] })).toThrow(
      /"x" is both an input and an output/,
    );
  });

  it('parses argv elements into text and placeholders', () => {
    expect(parseArg('--out={{outputPath:model}}.json')).toEqual([{ text: '--out=' }, { kind: 'outputPath', name: 'model' }, { text: '.json' }]);
    expect(parseArg('{{inputPath:a}}{{inputPath:b}}')).toEqual([
      { kind: 'inputPath', name: 'a' },
      { kind: 'inputPath', name: 'b' },
    ]);
    expect(parseArg('plain {{ not a placeholder }}')).toEqual([{ text: 'plain {{ not a placeholder }}' }]);
  });
});
