/**
 * A worker finds components by code digest, importing the module the IR names on a miss — also
 * when several tasks of that module start at once (a loop's first items on a fresh `sluice dev`).
 */
import { describe, expect, it } from 'vitest';
import { compile } from '../../../dsl/index';
import { projectRoot } from '../../paths';
import { ComponentRegistry } from './ComponentRegistry';

describe('ComponentRegistry.resolve', () => {
  it('resolves tasks that start together from a module not imported yet', async () => {
    const { strict } = (await import('../../../test/fixtures/controlFlow')) as { strict: Parameters<typeof compile>[0] };
    const spec = compile(strict, { module: './test/fixtures/controlFlow.ts' }).spec.components.square;
    expect(spec?.impl).toMatchObject({ kind: 'function', module: './test/fixtures/controlFlow.ts' });
    if (!spec) return;
    // A fresh registry, as a worker that has not run anything of this module.
    const registry = new ComponentRegistry(projectRoot);
    const found = await Promise.all([1, 2, 3].map((i) => registry.resolve(spec, `task "items[${i}]/must"`)));
    expect(found.map((c) => c.spec.name)).toEqual(['square', 'square', 'square']);
  });
});
