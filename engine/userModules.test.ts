import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { tsImport } from 'tsx/esm/api';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { projectRoot } from './paths';
import { transformUserFile } from './userModules';

// Inside the checkout, so that `sluice/dsl` resolves from the file's folder as it does in a user's project.
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(projectRoot, '.sluice', 'user-modules-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const PIPELINE = `import { component, pipeline, t } from 'sluice/dsl';
interface Greeting { text: string }
const shout = (g: Greeting): string => g.text.toUpperCase();
export const echo = component({
  name: 'echo',
  inputs: { text: t.string({ default: 'hello' }) },
  outputs: { echoed: t.string() },
  run: ({ text }) => {
    function exclaim(s: string): string { return s + '!'; }
    return { echoed: exclaim(shout({ text })) };
  },
});
export default pipeline({ name: 'one-step' }, (p) => { p.task(echo, {}); });
`;

it('imports a self-contained TypeScript pipeline file and leaves no file behind', async () => {
  const file = path.join(dir, 'pipeline.ts');
  await writeFile(file, PIPELINE);
  const mod = await transformUserFile(file);
  expect(Object.keys(mod ?? {}).sort()).toEqual(['default', 'echo']);
  expect(await readdir(dir)).toEqual(['pipeline.ts']);
});

it("gives a component the same code digest as tsx's loader, which the workers use", async () => {
  const file = path.join(dir, 'digest.ts');
  await writeFile(file, PIPELINE);
  type Component = { spec: unknown; run: () => unknown };
  const viaTransform = (await transformUserFile(file))?.echo as Component;
  const viaTsx = ((await tsImport(pathToFileURL(file).href, import.meta.url)) as { echo: Component }).echo;
  // The digest in the spec hashes run's text: the same text, the same spec.
  expect(viaTransform.run.toString()).toBe(viaTsx.run.toString());
  expect(viaTransform.spec).toEqual(viaTsx.spec);
});

it("imports the user's files a pipeline file imports, each as its own module, with the digests tsx gives", async () => {
  // Both files declare `shout`: one bundle would rename one of them, and change run's text.
  await writeFile(path.join(dir, 'helper.ts'), "const shout = (s: string): string => s + '!';\nexport const twice = (s: string): string => shout(shout(s));\n");
  const file = path.join(dir, 'withHelper.ts');
  await writeFile(
    file,
    PIPELINE.replace("const shout = (g: Greeting): string => g.text.toUpperCase();", "import { twice } from './helper';\nconst shout = (g: Greeting): string => twice(g.text.toUpperCase());"),
  );
  type Component = { spec: unknown; run: () => unknown };
  const viaTransform = (await transformUserFile(file))?.echo as Component;
  const viaTsx = ((await tsImport(pathToFileURL(file).href, import.meta.url)) as { echo: Component }).echo;
  expect(viaTransform.run.toString()).toBe(viaTsx.run.toString());
  expect(viaTransform.spec).toEqual(viaTsx.spec);
  expect((await readdir(dir)).filter((f) => f.includes('.sluice-'))).toEqual([]);
});

it('leaves a file that imports something other than code to tsx', async () => {
  await writeFile(path.join(dir, 'data.json'), '{"x": 1}\n');
  const file = path.join(dir, 'withJson.ts');
  await writeFile(file, "import data from './data.json';\nexport const y = data;\n");
  expect(await transformUserFile(file)).toBeUndefined();
});

it('says where a syntax error is', async () => {
  const file = path.join(dir, 'broken.ts');
  await writeFile(file, 'export const = 1;\n');
  await expect(transformUserFile(file)).rejects.toThrow(/broken\.ts:1:13/);
});
