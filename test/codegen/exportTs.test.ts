/** `sluice export-ts`: a pipeline file in, TypeScript out; errors are one readable line. */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';
import { ROOT } from './roundTrip';

const run = promisify(execFile);
const cli = (...args: string[]) =>
  run(process.execPath, ['--conditions=sluice-source', '--import', 'tsx', path.join(ROOT, 'engine/cli/main.ts'), 'export-ts', ...args], { cwd: ROOT, encoding: 'utf8' });

it('writes a fixture pipeline as TypeScript, importing components by their export names', async () => {
  const { stdout } = await cli('test/fixtures/controlFlow.ts', '--pipeline', 'gated');
  expect(stdout).toContain("import { label } from './test/fixtures/controlFlow';");
  expect(stdout).toContain("const gate = p.task(approval, { message: 'ship it?' }, { id: 'gate' });");
}, 60_000);

it('says which pipeline it cannot find', async () => {
  await expect(cli('test/fixtures/controlFlow.ts', '--pipeline', 'nope')).rejects.toThrow(/has no pipeline named "nope"/);
}, 60_000);
