/**
 * The editor end to end, as a first-time user meets it: `sluice dev --run examples/iris.ts` (what
 * `npm run up` starts) in a child process, Debian's Chromium driven by playwright-core. Builds a
 * 3-node pipeline by drag and drop, sees an incompatible connection refused with its reason, saves,
 * runs, watches every task succeed, opens the model's lineage and reaches the dataset; and shows a task
 * waiting for a GPU worker (the payload that once broke the run view). Screenshots
 * land in test-results/e2e/ (kept as test artefacts).
 */
import type { Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { compile, pipeline } from '../../dsl/index';
import { fitCommand } from '../fixtures/gpu';
import { openPage } from './support/browser';
import { e2eWorld } from './support/world';

const world = e2eWorld(['--run', 'examples/iris.ts']);

const shot = (page: Page, name: string): Promise<Buffer> => world.shot(page, name, { fullPage: false });

/** Drags with real pointer events in small steps (React Flow starts a connection on pointer down). */
async function dragBetween(page: Page, from: Locator, to: Locator, whileOver?: () => Promise<void>): Promise<void> {
  const a = await from.boundingBox();
  const b = await to.boundingBox();
  if (!a || !b) throw new Error('a drag end is not on screen');
  await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
  await page.mouse.down();
  const steps = 12;
  for (let i = 1; i <= steps; i++) {
    await page.mouse.move(a.x + a.width / 2 + ((b.x + b.width / 2 - (a.x + a.width / 2)) * i) / steps, a.y + a.height / 2 + ((b.y + b.height / 2 - (a.y + a.height / 2)) * i) / steps);
  }
  await whileOver?.();
  await page.mouse.up();
}

/**
 * Clicks a canvas node once it has stopped moving (layout and fit-view animations move nodes under
 * the pointer), until `shows` is visible; a slow machine may need a second click.
 */
async function clickWhenSettled(page: Page, node: Locator, shows: Locator): Promise<void> {
  const position = async (): Promise<string> => JSON.stringify(await node.boundingBox());
  for (let attempt = 1; ; attempt++) {
    let before = await position();
    for (let i = 0; i < 50; i++) {
      await page.waitForTimeout(150);
      const now = await position();
      if (now === before) break;
      before = now;
    }
    await node.click();
    try {
      await shows.waitFor({ timeout: 5_000 });
      return;
    } catch (e) {
      if (attempt >= 4) throw e;
    }
  }
}

describe('the editor in Chromium, against sluice dev', () => {
  it('npm run up prints where the editor opens on the example pipeline and where its run is watched', async () => {
    const editorUrl = /editor (http:\/\/\S+#\/pipelines\/iris)/.exec(world.dev.cli.out())?.[1];
    expect(editorUrl, world.dev.cli.out()).toBeDefined();
    const runUrl = /watch it: (http:\/\/\S+#\/runs\/\S+)/.exec(world.dev.cli.out())?.[1];
    expect(runUrl, world.dev.cli.out()).toBeDefined();

    const { page, errors } = await openPage(world.browser, editorUrl ?? '');
    await page.locator('[data-testid^="node-"]').first().waitFor({ timeout: 60_000 });
    await shot(page, '01-editor-iris-example');
    // It opens readable on part of the chain; fit view shows every task.
    await page.locator('.react-flow__controls-fitview').click();
    await expect.poll(() => page.locator('[data-testid^="node-"]').count()).toBeGreaterThanOrEqual(11);
    await shot(page, '01b-editor-iris-example-fit');

    await page.goto(runUrl ?? '');
    await page.locator('[data-testid="run-status"][data-status="succeeded"]').waitFor({ timeout: 180_000 });
    // The run view opens readable on part of a long graph; the task list names every task.
    await page.getByTestId('task-list-batch-inference').waitFor();
    await shot(page, '02-run-view-iris-example');
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('builds a 3-node pipeline by drag and drop, refuses a wrong connection, saves, runs it and traces the model to its dataset', async () => {
    const { page, errors } = await openPage(world.browser, `${world.dev.url}/#/new`);
    const pane = page.locator('.react-flow__pane');
    await page.getByTestId('palette-item-load-iris').waitFor({ timeout: 30_000 });

    await page.getByRole('tab', { name: 'Pipeline' }).click();
    const name = page.getByLabel('Pipeline name');
    await name.fill('e2e-iris');
    await name.press('Enter');

    // Drag three components from the palette onto the canvas.
    await page.getByTestId('palette-item-load-iris').dragTo(pane, { targetPosition: { x: 120, y: 160 } });
    await page.getByTestId('palette-item-split').dragTo(pane, { targetPosition: { x: 420, y: 160 } });
    await page.getByTestId('palette-item-train-classifier').dragTo(pane, { targetPosition: { x: 720, y: 160 } });
    for (const id of ['load-iris', 'split', 'train-classifier']) await page.getByTestId(`node-${id}`).waitFor();

    await dragBetween(page, page.getByTestId('handle-load-iris-out-dataset'), page.getByTestId('handle-split-in-dataset'));
    await expect.poll(() => page.locator('.react-flow__edge').count()).toBe(1);

    // An int cannot feed a Dataset input: refused while dragging, with the reason, and no edge.
    const status = page.getByTestId('connection-status');
    await dragBetween(page, page.getByTestId('handle-split-out-trainRows'), page.getByTestId('handle-train-classifier-in-train'), async () => {
      await expect.poll(() => status.textContent()).toMatch(/cannot feed/);
      await shot(page, '03-connection-refused-while-dragging');
    });
    await expect.poll(() => status.textContent()).toMatch(/int.*cannot feed.*Dataset|cannot feed.*train/);
    await expect.poll(() => page.locator('.react-flow__edge').count()).toBe(1);

    await dragBetween(page, page.getByTestId('handle-split-out-train'), page.getByTestId('handle-train-classifier-in-train'));
    await expect.poll(() => page.locator('.react-flow__edge').count()).toBe(2);
    await shot(page, '04-three-nodes-connected');

    // The first save of a new pipeline asks its name: the one given in the Pipeline tab is offered.
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    const saveDialog = page.getByRole('dialog', { name: 'Save the new pipeline' });
    await expect(saveDialog.getByLabel('Pipeline name').inputValue()).resolves.toBe('e2e-iris');
    await saveDialog.getByRole('button', { name: /^Save/ }).click();
    // A save is a round trip to the server: on a loaded machine more than poll's default second.
    await expect.poll(() => status.textContent(), { timeout: 30_000 }).toMatch(/Saved e2e-iris/);

    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await page.getByRole('button', { name: 'Start run' }).click();
    await page.waitForURL(/#\/runs\/[^/?]+/, { timeout: 30_000 });
    await page.locator('[data-testid="run-status"][data-status="succeeded"]').waitFor({ timeout: 180_000 });
    for (const id of ['load-iris', 'split', 'train-classifier']) {
      await expect(page.getByTestId(`run-node-${id}`).getAttribute('data-state')).resolves.toMatch(/^(succeeded|cached)$/);
    }
    await shot(page, '05-run-succeeded');

    // The model's lineage, from the task's artifacts, back to the iris dataset.
    await page.getByTestId('task-list-train-classifier').click();
    await page.getByRole('tab', { name: 'Artifacts' }).click();
    await page.getByTestId('artifact-row-model').getByRole('link', { name: 'Lineage' }).click();
    await page.locator('[data-testid="lineage-status"][data-state="ready"]').waitFor({ timeout: 30_000 });
    const dataset = page.locator('[data-testid^="lineage-node-artifact-"][data-name*="load-iris"]');
    await dataset.first().waitFor({ timeout: 30_000 });
    await clickWhenSettled(page, dataset.first(), page.getByTestId('lineage-evidence'));
    await expect(page.getByTestId('lineage-evidence').textContent()).resolves.toMatch(/Dataset/);
    await shot(page, '06-lineage-model-to-dataset');

    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('shows a task waiting for a GPU worker as such, with the reason, without a page error', async (ctx) => {
    // sluice dev starts a gpu worker only on a machine with GPUs; without one, GPU tasks wait.
    if (!world.dev.cli.out().includes('no GPU: GPU tasks wait for a gpu worker')) ctx.skip();
    const waiting = pipeline({ name: 'e2e-gpu-wait' }, (p) => {
      p.task(fitCommand, {}, { id: 'fit' });
    });
    const { run } = await world.api.submitRun({ body: { spec: compile(waiting).spec } });
    try {
      const { page, errors } = await openPage(world.browser, `${world.dev.url}/#/runs/${run.id}`);
      await page.locator('[data-testid="run-node-fit"][data-state="waiting-gpu"]').waitFor({ timeout: 60_000 });
      await expect(page.getByTestId('task-list-fit').textContent()).resolves.toMatch(/waiting for a GPU worker/);
      await page.getByTestId('task-list-fit').click();
      await expect(page.getByTestId('task-waiting-for').textContent()).resolves.toMatch(/^waiting for a gpu worker: none is polling task queue \S+-gpu/);
      await shot(page, '07-run-view-waiting-for-gpu');
      expect(errors).toEqual([]);
      await page.context().close();
    } finally {
      await world.api.cancelRun({ params: { runId: run.id } });
    }
  });
});
