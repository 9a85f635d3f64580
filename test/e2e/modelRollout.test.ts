/**
 * Issue 14's rollout in a real browser, against `sluice dev --run examples/iris.ts` (which
 * registers the example's model and points `challenger` at it): with `champion` on it and a second
 * version registered, a canary rollout started through the API shows live on the Models page
 * (state, weight, step, its decisions), and an abort through the API shows as the rollout's end
 * without reloading the page. Screenshots land in test-results/e2e/.
 */
import { describe, expect, it } from 'vitest';
import { openPage } from './support/browser';
import { e2eWorld } from './support/world';

const world = e2eWorld(['--run', 'examples/iris.ts'], { startTimeoutMs: 300_000 });

describe('issue 14 in Chromium: a running rollout on the Models page', () => {
  it('shows the rollout live (state, weight, step, decisions) and its end after an abort', async () => {
    await expect.poll(async () => (await world.api.listModels()).models.find((m) => m.name === 'iris')?.aliases.challenger, { timeout: 300_000, interval: 1000 }).toBe(1);
    const v1 = (await world.api.getModel({ params: { model: 'iris' } })).versions[0]!;
    await world.api.moveModelAlias({ params: { model: 'iris', alias: 'champion' }, body: { version: 1, note: 'first release' } });
    const { version: v2 } = await world.api.registerModelVersion({ params: { model: 'iris' }, body: { artifactId: v1.artifactId, description: 'the same model again, as a candidate' } });
    // A long window: the rollout stays at its first step while the page is looked at.
    const { rollout } = await world.api.startModelRollout({ params: { model: 'iris' }, body: { to: String(v2.version), steps: [10, 50, 100], intervalMs: 600_000 } });

    const { page, errors } = await openPage(world.browser, `${world.dev.url}/#/models/iris`);
    const panel = page.getByTestId('rollout');
    await panel.waitFor({ timeout: 60_000 });
    await expect.poll(async () => (await page.getByTestId('rollout-weight').textContent()) ?? '', { timeout: 60_000 }).toBe('10%');
    expect(await page.getByTestId('rollout-summary').textContent()).toMatch(new RegExp(`^canary v1 → v${v2.version} · running · candidate weight 10% · step 1 of 3`));
    await expect.poll(async () => (await page.getByTestId('rollout-decisions').textContent()) ?? '', { timeout: 30_000 }).toContain('step 1 of 3: 10% to the candidate');
    await world.shot(page, '14a-rollout-running');

    await world.api.endModelRollout({ params: { model: 'iris' }, body: { action: 'abort', reason: 'looked at it in the browser' } });
    await expect.poll(async () => (await page.getByTestId('rollout-state').textContent()) ?? '', { timeout: 60_000 }).toBe('aborted');
    expect(await page.getByTestId('rollout-summary').textContent()).toContain('looked at it in the browser');
    expect((await world.api.listModelRollouts({ params: { model: 'iris' } })).rollouts[0]?.rollout).toMatchObject({ id: rollout.id, state: 'aborted', weight: 0 });
    await world.shot(page, '14b-rollout-aborted');
    expect(errors).toEqual([]);
  });
});
