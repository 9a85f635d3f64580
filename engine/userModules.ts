/**
 * Imports a user's module (a pipeline file, a component module) by URL or package specifier. Users
 * write TypeScript: from a checkout everything already runs through tsx (bin/sluice.js) or vitest;
 * the installed package runs compiled JavaScript and registers tsx's loader here, on the first
 * import of a user module, so that commands that never load one do not pay for it.
 */
import { packaged } from './paths';

let loader: Promise<void> | undefined;

export async function importUserModule(specifier: string): Promise<Record<string, unknown>> {
  if (packaged) {
    loader ??= import('tsx/esm/api').then(({ register }) => {
      register();
    });
    await loader;
  }
  return (await import(specifier)) as Record<string, unknown>;
}
