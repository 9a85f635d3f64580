#!/usr/bin/env node
// The `sluice` CLI. Installed from the package it runs the compiled JavaScript (dist/cli.js, built
// by `npm run build`), which loads tsx only to import a user's TypeScript. From a checkout it runs
// the TypeScript sources through tsx's loader, with the `sluice-source` export condition so that
// `sluice/dsl` & co. resolve to the sources too (package.json `exports`).
import { existsSync } from 'node:fs';
import { register as registerHooks } from 'node:module';
import { URL } from 'node:url';

const sources = new URL('../engine/cli/main.ts', import.meta.url);
if (existsSync(sources)) {
  const { register } = await import('tsx/esm/api');
  register();
  // Registered after tsx, so it runs first and hands tsx (and Node) the extra condition.
  const hooks = 'export async function resolve(s, c, next) { return next(s, { ...c, conditions: [...c.conditions, "sluice-source"] }); }';
  registerHooks(`data:text/javascript,${encodeURIComponent(hooks)}`);
  await import(sources.href);
} else {
  await import('../dist/cli.js');
}
