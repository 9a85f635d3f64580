/**
 * The world every browser test stands in: `sluice dev` (a child process with a state directory of
 * its own, devServer.ts), a headless Chromium (browser.ts) and the API's typed client on the dev
 * server's URL. `e2eWorld(...devArgs)` registers the vitest hooks that start it before the file's
 * tests and stop it after them; its fields are there once the tests run.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { createApiClient, type ApiClient } from '../../../engine/contract/index';
import { projectRoot } from '../../../engine/paths';
import { launchChromium } from './browser';
import { startDevServer, type DevServer } from './devServer';

/** Where the browser tests' screenshots land. */
export const E2E_SHOTS = path.join(projectRoot, 'test-results', 'e2e');

export interface E2eWorld {
  readonly dev: DevServer;
  readonly browser: Browser;
  readonly api: ApiClient;
  /** The run `sluice dev --run` started, from its "watch it: <url>" line. */
  startedRun(): { id: string; url: string };
  /** A screenshot of the page into test-results/e2e/<name>.png (the whole page unless `fullPage: false`). */
  shot(page: Page, name: string, o?: { fullPage?: boolean }): Promise<Buffer>;
}

/** Starts the world before the file's tests (`sluice dev` with `devArgs`) and stops it after them. */
export function e2eWorld(devArgs: string[] = [], o: { startTimeoutMs?: number } = {}): E2eWorld {
  let dev: DevServer | undefined;
  let browser: Browser | undefined;
  let api: ApiClient | undefined;
  const started = <T>(what: string, value: T | undefined): T => {
    if (value === undefined) throw new Error(`the e2e world's ${what} is not started: use it inside a test, after beforeAll`);
    return value;
  };

  beforeAll(async () => {
    await mkdir(E2E_SHOTS, { recursive: true });
    dev = await startDevServer(...devArgs);
    browser = await launchChromium();
    api = createApiClient({ baseUrl: dev.url });
  }, o.startTimeoutMs ?? 240_000);

  afterAll(async () => {
    await browser?.close();
    await dev?.stop();
  });

  return {
    get dev() {
      return started('dev server', dev);
    },
    get browser() {
      return started('browser', browser);
    },
    get api() {
      return started('API client', api);
    },
    startedRun() {
      const out = started('dev server', dev).cli.out();
      const m = /watch it: (http:\/\/\S+#\/runs\/(\S+))/.exec(out);
      if (!m) throw new Error(`no run URL in the output of sluice dev:\n${out}`);
      return { url: m[1]!, id: m[2]! };
    },
    shot: (page, name, { fullPage = true } = {}) => page.screenshot({ path: path.join(E2E_SHOTS, `${name}.png`), fullPage }),
  };
}
