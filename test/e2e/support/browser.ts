/**
 * A real Chromium for the browser tests and the editor benchmark: Debian's /usr/bin/chromium (the
 * test command installs it when missing; `SLUICE_CHROMIUM` names another), driven by
 * playwright-core, sandbox off (containers have no user namespaces) and no background network
 * (nothing outside this machine is reachable anyway).
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-background-networking'];

export function chromiumPath(): string {
  const bin = process.env.SLUICE_CHROMIUM || '/usr/bin/chromium';
  if (!existsSync(bin)) {
    throw new Error(
      `Chromium is not installed at ${bin}: run \`bash scripts/ensure-chromium.sh\` (as root it installs Debian's chromium; \`npm test\` does this) or set SLUICE_CHROMIUM=/path/to/chromium`,
    );
  }
  return bin;
}

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath(), args: CHROMIUM_ARGS, headless: true });
}

/** A page that fails the test on uncaught page errors and console errors, instead of hiding them. */
export async function openPage(browser: Browser, url: string, viewport = { width: 1440, height: 900 }): Promise<{ page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console error: ${m.text()}`);
  });
  await page.goto(url);
  return { page, errors };
}
