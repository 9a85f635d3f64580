/**
 * Issue 15's editor side in Chromium against `sluice dev`: a task is made a tuning study in the
 * Inspector, its budget edited in the study form, the canvas marks it, and the saved pipeline runs
 * as a study whose trials and parallel-coordinates plot the run view shows; a study's own outputs
 * (its trials Dataset, best.<param>) are ports wired like any task's.
 * Screenshots land in test-results/e2e/.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { validatePipeline, type PipelineSpec } from '../../dsl/ir/index';
import { openPage } from './support/browser';
import { e2eWorld } from './support/world';

const world = e2eWorld();

async function add(page: Page, component: string): Promise<void> {
  await page.getByTestId(`palette-item-${component}`).waitFor({ timeout: 30_000 });
  await page.getByRole('button', { name: `Add ${component}` }).click();
  await page.getByTestId(`node-${component}`).waitFor();
}

describe('a tuning study built in the editor', () => {
  it('makes a task a study, edits its budget, saves and runs it, and the run view shows its trials and plot', async () => {
    const { page, errors } = await openPage(world.browser, `${world.dev.url}/#/new`);
    await add(page, 'load-iris');
    await add(page, 'train-classifier');
    await page.getByTestId('node-train-classifier').click();
    await page.getByRole('tab', { name: 'Task' }).click();
    await page.getByLabel('Source of input train').selectOption('source:load-iris.dataset');

    await page.getByRole('button', { name: 'Make it a tuning study' }).click();
    const badge = page.getByTestId('study-badge-train-classifier');
    await expect.poll(() => badge.textContent()).toBe('random ×10');
    const form = page.getByTestId('tune-form-train-classifier');
    // A budget the IR refuses is refused at the field, and nothing changes.
    await form.getByLabel('Max trials').fill('0');
    await form.getByLabel('Max trials').press('Enter');
    await expect.poll(() => form.getByRole('alert').first().textContent()).toMatch(/maxTrials: Too small/);
    await form.getByLabel('Max trials').fill('3');
    await form.getByLabel('Max trials').press('Enter');
    await form.getByLabel('Parallel trials').fill('3');
    await form.getByLabel('Parallel trials').press('Enter');
    await expect.poll(() => badge.textContent()).toBe('random ×3');
    await world.shot(page, '15-editor-study-form');

    await page.getByRole('button', { name: 'Run', exact: true }).click();
    const save = page.getByRole('dialog', { name: 'Save the new pipeline' });
    await save.getByLabel('Pipeline name').fill('e2e-study');
    await save.getByRole('button', { name: /^Save/ }).click();
    const run = page.getByRole('dialog', { name: 'Run e2e-study' });
    await run.getByRole('button', { name: 'Start run' }).click();
    await page.waitForURL(/#\/runs\//, { timeout: 30_000 });
    const runId = /#\/runs\/([^?/]+)/.exec(page.url())?.[1] ?? '';

    const { versions } = await world.api.getPipeline({ params: { pipeline: 'e2e-study' } });
    expect(versions.map((v) => v.draft)).toEqual([false]);
    const saved = await world.api.getPipelineVersion({ params: { pipeline: 'e2e-study', version: versions[0]?.id ?? '' } });
    const task = (saved.version.spec as PipelineSpec).dag.tasks['train-classifier'];
    expect(task && 'tune' in task ? task.tune : undefined).toMatchObject({ space: { hiddenUnits: { type: 'intRange' } }, maxTrials: 3, parallelTrials: 3, objective: { metric: 'loss' } });

    await expect.poll(async () => (await world.api.getRun({ params: { runId } })).run.status, { timeout: 240_000, interval: 1000 }).toBe('succeeded');
    await page.goto(`${world.dev.url}/#/runs/${runId}?task=train-classifier`);
    const view = page.getByTestId('study-view');
    await view.waitFor({ timeout: 60_000 });
    for (const n of [0, 1, 2]) await page.getByTestId(`trial-row-${n}`).waitFor({ timeout: 30_000 });
    await page.getByTestId('study-parallel-coordinates').waitFor({ timeout: 30_000 });
    expect(await page.locator('[data-testid="study-parallel-coordinates"] g[data-line]').count()).toBe(3);
    await world.shot(page, '15-editor-study-run');
    expect(errors).toEqual([]);
  }, 420_000);

  it("shows a study's outputs as ports: its trials Dataset feeds a Dataset input, never a Model one; the saved IR validates", async () => {
    const { api } = world;
    const { page, errors } = await openPage(world.browser, `${world.dev.url}/#/new`);
    // Each task is set up right after it is added: a new node lands on top of the earlier ones.
    await add(page, 'load-iris');
    await add(page, 'train-classifier');
    await page.getByTestId('node-train-classifier').click();
    await page.getByRole('tab', { name: 'Task' }).click();
    await page.getByLabel('Source of input train').selectOption('source:load-iris.dataset');
    await page.getByRole('button', { name: 'Make it a tuning study' }).click();
    await expect.poll(() => page.getByTestId('study-badge-train-classifier').textContent()).toBe('random ×10');
    // The study's own outputs are handles on its node, beside the component's.
    for (const port of ['trialsDataset', 'bestValue', 'bestParams', 'best.hiddenUnits', 'model']) await page.getByTestId(`handle-train-classifier-out-${port}`).waitFor();

    await add(page, 'standardize');
    await page.getByTestId('node-standardize').click();
    await page.getByRole('tab', { name: 'Task' }).click();
    await page.getByLabel('Source of input train').selectOption('source:train-classifier.trialsDataset');
    await page.getByLabel('Source of input test').selectOption('source:train-classifier.trialsDataset');

    await add(page, 'evaluate-classifier');
    await page.getByTestId('node-evaluate-classifier').click();
    await page.getByRole('tab', { name: 'Task' }).click();
    const modelSource = page.getByLabel('Source of input model');
    // A Model input is offered the best trial's model, not the trials Dataset (the port-type rule).
    const offered = await modelSource.locator('option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
    expect(offered).toContain('source:train-classifier.model');
    expect(offered).not.toContain('source:train-classifier.trialsDataset');
    await modelSource.selectOption('source:train-classifier.model');
    await page.getByLabel('Source of input test').selectOption('source:load-iris.dataset');
    await expect.poll(() => page.locator('.react-flow__edge').count()).toBe(5);
    // Laid out (elk runs off the click) so the screenshot shows the study's ports and the wires.
    await page.getByRole('button', { name: 'Arrange', exact: true }).click();
    const overlapping = async (): Promise<boolean> => {
      const a = await page.getByTestId('node-train-classifier').boundingBox();
      const b = await page.getByTestId('node-standardize').boundingBox();
      return !a || !b || (a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height);
    };
    await expect.poll(overlapping, { timeout: 20_000 }).toBe(false);
    await page.waitForTimeout(600); // the fit-view animation, for the picture only
    await world.shot(page, '15-editor-study-ports');

    await page.getByRole('button', { name: 'Save', exact: true }).click();
    const save = page.getByRole('dialog', { name: 'Save the new pipeline' });
    await save.getByLabel('Pipeline name').fill('e2e-study-ports');
    await save.getByRole('button', { name: /^Save/ }).click();
    await expect
      .poll(async () => (await api.getPipeline({ params: { pipeline: 'e2e-study-ports' } }).catch(() => undefined))?.versions.length ?? 0, { timeout: 30_000, interval: 500 })
      .toBe(1);
    const { versions } = await api.getPipeline({ params: { pipeline: 'e2e-study-ports' } });
    expect(versions.map((v) => v.draft)).toEqual([false]);
    const saved = (await api.getPipelineVersion({ params: { pipeline: 'e2e-study-ports', version: versions[0]?.id ?? '' } })).version.spec as PipelineSpec;
    expect(validatePipeline(saved).issues).toEqual([]);
    expect(saved.dag.tasks.standardize).toMatchObject({ inputs: { train: { task: 'train-classifier', output: 'trialsDataset' }, test: { task: 'train-classifier', output: 'trialsDataset' } } });
    expect(saved.dag.tasks['evaluate-classifier']).toMatchObject({ inputs: { model: { task: 'train-classifier', output: 'model' } } });
    expect(errors).toEqual([]);
  }, 300_000);
});
