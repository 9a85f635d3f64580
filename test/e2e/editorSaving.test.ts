/**
 * The editor's saving traps (issue 18), in Chromium against `sluice dev`: Save on a new pipeline
 * asks for a name (it once saved "untitled", and the next new pipeline became "untitled version
 * 2"); Ctrl+S saves while focus is in a form field; a pipeline with problems is saved as a draft
 * (marked by the server, its runs refused with a 409) instead of refused; pipelines are archived
 * (hidden by default, shown with a toggle, restored) with their runs kept.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../engine/contract/index';
import { openPage } from './support/browser';
import { e2eWorld } from './support/world';

const world = e2eWorld();

async function newPipelineWith(page: Page, component: string): Promise<void> {
  await page.goto(`${world.dev.url}/#/new`);
  await page.getByTestId(`palette-item-${component}`).waitFor({ timeout: 30_000 });
  await page.getByRole('button', { name: `Add ${component}` }).click();
  await page.getByTestId(`node-${component}`).waitFor();
}

describe('saving in the editor', () => {
  it('asks a new pipeline for its name, saves problems as a draft that cannot run, and saves with Ctrl+S from a field', async () => {
    // Started without --temporal-ui: no Web UI, so runs get no link to it (test/cli/temporalUi.test.ts has one).
    expect((await world.api.serverInfo()).temporalUi).toBeNull();
    const { page, errors } = await openPage(world.browser, `${world.dev.url}/#/pipelines`);
    const status = page.getByTestId('connection-status');

    // split without its dataset input: a pipeline with a problem.
    await newPipelineWith(page, 'split');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Save the new pipeline' });
    await dialog.waitFor({ timeout: 10_000 });
    await dialog.getByLabel('Pipeline name').fill('e2e-draft');
    await expect(dialog.textContent()).resolves.toMatch(/draft/);
    await dialog.getByRole('button', { name: /^Save/ }).click();
    await expect.poll(() => status.textContent()).toMatch(/Saved e2e-draft as draft version 1/);

    const { versions } = await world.api.getPipeline({ params: { pipeline: 'e2e-draft' } });
    expect(versions.map((v) => v.draft)).toEqual([true]);
    const refused = await world.api.submitRun({ body: { pipelineVersionId: versions[0]?.id ?? '' } }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ApiError);
    expect((refused as ApiError).status).toBe(409);
    expect((refused as ApiError).code).toBe('draft-pipeline');
    // The editor knows that before asking: its Run dialog says why and cannot start.
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    const run = page.getByRole('dialog', { name: 'Run e2e-draft' });
    await expect.poll(() => run.getByRole('alert').textContent()).toMatch(/Version 1 is a draft/);
    expect(await run.getByRole('button', { name: 'Start run' }).isDisabled()).toBe(true);
    await run.getByRole('button', { name: 'Cancel' }).click();

    // Ctrl+S with the focus in a field: what was typed is committed and saved.
    await page.getByRole('tab', { name: 'Pipeline' }).click();
    const description = page.getByRole('textbox', { name: 'Description', exact: true }).first();
    await description.fill('typed, then Ctrl+S');
    await description.press('Control+s');
    await expect.poll(() => status.textContent()).toMatch(/Saved e2e-draft as draft version 2/);
    const after = await world.api.getPipeline({ params: { pipeline: 'e2e-draft' } });
    const latest = await world.api.getPipelineVersion({ params: { pipeline: 'e2e-draft', version: after.versions[0]?.id ?? '' } });
    expect(latest.version.spec.description).toBe('typed, then Ctrl+S');

    // Another new pipeline does not become a version of the first: its name is asked, and a taken
    // name is pointed out before anything is saved.
    await newPipelineWith(page, 'load-iris');
    await page.keyboard.press('Control+s');
    await dialog.waitFor({ timeout: 10_000 });
    await dialog.getByLabel('Pipeline name').fill('e2e-draft');
    await dialog.getByRole('button', { name: /^Save/ }).click();
    await expect.poll(() => dialog.textContent()).toMatch(/already exists/);
    await dialog.getByLabel('Pipeline name').fill('e2e-second');
    await dialog.getByRole('button', { name: /^Save/ }).click();
    await expect.poll(() => status.textContent()).toMatch(/Saved e2e-second as version 1/);
    expect((await world.api.getPipeline({ params: { pipeline: 'e2e-draft' } })).versions).toHaveLength(2);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('archives a pipeline (hidden, shown with a toggle, its runs kept) and restores it', async () => {
    const { versions } = await world.api.getPipeline({ params: { pipeline: 'e2e-second' } });
    const { run } = await world.api.submitRun({ body: { pipelineVersionId: versions[0]?.id ?? '' } });

    const { page, errors } = await openPage(world.browser, `${world.dev.url}/#/pipelines`);
    const row = page.getByTestId('pipeline-e2e-second');
    await row.waitFor({ timeout: 30_000 });
    await page.getByRole('button', { name: 'Archive e2e-second' }).click();
    await row.waitFor({ state: 'detached' });
    expect((await world.api.listPipelines()).pipelines.map((p) => p.name)).not.toContain('e2e-second');

    await page.getByLabel('Show archived').check();
    await row.waitFor();
    await page.getByRole('button', { name: 'Unarchive e2e-second' }).click();
    await page.getByLabel('Show archived').uncheck();
    await row.waitFor();
    expect((await world.api.listRuns({ query: { pipeline: 'e2e-second' } })).runs.map((r) => r.id)).toContain(run.id);
    expect(errors).toEqual([]);
    await page.context().close();
  });
});
