/**
 * Issue 15's run view in a real browser, against `sluice dev --run examples/iris-tuning.ts` (with
 * batchSize=1, so trials take long enough to act on): the study task shows its trials, a change the
 * study cannot take is refused with the server's message, a raise of the parallel trials is taken,
 * and the ended study shows every trial, the best one marked, and its best-so-far curve.
 * Screenshots land in test-results/e2e/.
 */
import { describe, expect, it } from 'vitest';
import { openPage } from './support/browser';
import { e2eWorld } from './support/world';

const world = e2eWorld(['--run', 'examples/iris-tuning.ts', '--param', 'batchSize=1']);

const STUDY = 'tune-train-classifier';

describe('issue 15 in Chromium: a tuning study in the run view', () => {
  it('shows the trials while they run, takes and refuses changes with the server’s word, ends with every trial and the best-so-far curve', async () => {
    const runId = world.startedRun().id;
    const { page, errors } = await openPage(world.browser, `${world.dev.url}/#/runs/${runId}?task=${STUDY}`);
    const view = page.getByTestId('study-view');
    await view.waitFor({ timeout: 120_000 });
    await page.getByTestId('trial-row-0').waitFor({ timeout: 60_000 });

    // While it runs: maxTrials below the trials started is refused (409), with the server's reason.
    const controls = page.getByRole('form', { name: 'Study controls' });
    await controls.waitFor({ timeout: 10_000 });
    await controls.getByLabel('Max trials').fill('1');
    await controls.getByRole('button', { name: 'Apply' }).click();
    await expect.poll(async () => (await page.getByTestId('study-control-error').textContent({ timeout: 30_000 })) ?? '', { timeout: 30_000 }).toMatch(/maxTrials 1 is below the \d+ trials already started/);
    await world.shot(page, '15a-study-refused');
    // More trials at once: taken, and the header says so.
    await controls.getByLabel('Max trials').fill('12');
    await controls.getByLabel('Parallel trials').fill('4');
    await controls.getByRole('button', { name: 'Apply' }).click();
    await expect.poll(async () => (await view.locator('.study-head').textContent()) ?? '', { timeout: 30_000 }).toContain('4 at once, 12 in all');
    expect(await page.getByTestId('study-control-error').count()).toBe(0);

    await expect.poll(async () => (await world.api.getRun({ params: { runId } })).run.status, { timeout: 300_000, interval: 1000 }).toBe('succeeded');
    // The ended study: all twelve trials, none running, no controls, the best marked, the curve drawn.
    await expect.poll(() => page.locator('[data-testid^="trial-row-"]').count(), { timeout: 30_000 }).toBe(12);
    await expect.poll(() => page.locator('[data-testid^="trial-row-"][data-state="running"]').count(), { timeout: 30_000 }).toBe(0);
    expect(await page.getByRole('form', { name: 'Study controls' }).count()).toBe(0);
    const { studies } = await world.api.getRunStudies({ params: { runId } });
    const best = studies[0]?.best;
    expect(best).toBeTruthy();
    expect(await page.getByTestId(`trial-row-${best?.number}`).getAttribute('class')).toContain('is-best');
    await expect.poll(() => page.getByRole('img', { name: 'best loss so far' }).count(), { timeout: 10_000 }).toBe(1);
    expect(await page.getByRole('img', { name: /loss per epoch of each trial/ }).count()).toBe(1);
    await world.shot(page, '15b-study-ended');
    // The one refused request, which the browser logs; nothing else.
    expect(errors).toEqual(['console error: Failed to load resource: the server responded with a status of 409 (Conflict)']);
  });
});
