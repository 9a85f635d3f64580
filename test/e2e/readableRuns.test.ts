/**
 * Issue 12's editor items in a real browser, against `sluice dev --run examples/iris.ts`: the
 * canvas opens readable with no port label overlapping or cut, the palette shows signatures with
 * port names; a training task's metric chart grows while it trains, its x axis says "epoch";
 * cancelling reads "cancelling…" at once and the cancelled run says it was cancelled; the runs
 * list offers the pipelines by name; an artifact reused by a later run shows "reused by 1 run",
 * expandable to a link to that run. Screenshots land in test-results/e2e/.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { openPage } from './support/browser';
import { e2eWorld } from './support/world';

const world = e2eWorld(['--run', 'examples/iris.ts']);

const shot = (page: Page, name: string): Promise<Buffer> => world.shot(page, name, { fullPage: false });

/** The iris run `sluice dev --run` started. */
function irisRunId(): string {
  return world.startedRun().id;
}

async function waitForRun(runId: string): Promise<void> {
  await expect.poll(async () => (await world.api.getRun({ params: { runId } })).run.status, { timeout: 240_000, interval: 1000 }).toMatch(/^(succeeded|failed|cancelled)$/);
}

describe('issue 12 in Chromium, against sluice dev', () => {
  it('opens the iris pipeline readable: no port label overlaps another or is cut; palette signatures name the ports', async () => {
    const { page, errors } = await openPage(world.browser, `${world.dev.url}/#/pipelines/iris`);
    await page.locator('[data-testid^="node-"]').first().waitFor({ timeout: 60_000 });
    await page.waitForTimeout(500);
    const zoom = await page.locator('.react-flow__viewport').evaluate((el) => new DOMMatrix(getComputedStyle(el).transform).a);
    expect(zoom).toBeGreaterThanOrEqual(0.75);
    // The pipeline's first task is on screen, whole.
    const first = await page.getByTestId('node-load-iris').boundingBox();
    const pane = await page.locator('.react-flow').boundingBox();
    expect(first && pane && first.x >= pane.x && first.x + first.width <= pane.x + pane.width).toBe(true);
    const problems = await page.evaluate(() => {
      const out: string[] = [];
      for (const node of document.querySelectorAll<HTMLElement>('.task-node')) {
        const ports = [...node.querySelectorAll<HTMLElement>('.port')].map((p) => ({ el: p, r: p.getBoundingClientRect() }));
        for (let i = 0; i < ports.length; i++) {
          for (let j = i + 1; j < ports.length; j++) {
            const a = ports[i]!.r;
            const b = ports[j]!.r;
            if (a.left < b.right - 0.5 && b.left < a.right - 0.5 && a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5) out.push(`${node.dataset.testid}: "${ports[i]!.el.textContent}" overlaps "${ports[j]!.el.textContent}"`);
          }
        }
        for (const span of node.querySelectorAll<HTMLElement>('.port__name, .port__type')) {
          if (span.scrollWidth > span.clientWidth) out.push(`${node.dataset.testid}: "${span.textContent}" is cut`);
        }
      }
      return out;
    });
    expect(problems).toEqual([]);
    await expect(page.getByTestId('palette-signature-train-classifier').textContent()).resolves.toMatch(/^train-classifier\(train: Dataset, .*epochs\?: int.*\) → model: Model/);
    await shot(page, '11-editor-iris-readable');
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('grows a training chart while the task trains, with epochs on its x axis; cancelling reads "cancelling…" at once and ends cancelled, not failed', async () => {
    // The iris example as sluice dev compiled it (a pipeline compiled here would carry other code
    // digests: vitest transforms the components' source), with a long training.
    // The app loads before the training competes for the CPUs; the run view is then a hash change.
    const { page, errors } = await openPage(world.browser, `${world.dev.url}/#/runs`);
    const iris = (await world.api.listPipelines()).pipelines.find((p) => p.name === 'iris')?.latestVersion;
    if (!iris) throw new Error('sluice dev did not record the iris pipeline');
    const { version } = await world.api.getPipelineVersion({ params: { pipeline: 'iris', version: iris.id } });
    const { run } = await world.api.submitRun({ body: { spec: version.spec, params: { epochs: 5000 } } });
    // The run as the API sees it (in the failure message when the task never starts).
    const seen = async (): Promise<string> => {
      const d = await world.api.getRun({ params: { runId: run.id } });
      return JSON.stringify({ status: d.run.status, error: d.run.error, executions: d.executions.map((e) => [e.taskId, e.status, e.error]) });
    };
    await expect.poll(seen, { timeout: 240_000, interval: 1000 }).toMatch(/"train-classifier","running"/);
    await page.evaluate((hash) => (window.location.hash = hash), `#/runs/${run.id}?task=train-classifier`);
    // Polled by its attribute, so a failure says what the node showed instead (absent: no graph).
    const nodeState = async (): Promise<string> => (await page.getByTestId('run-node-train-classifier').getAttribute('data-state', { timeout: 1000 }).catch(() => null)) ?? 'absent';
    await expect.poll(nodeState, { timeout: 180_000, interval: 1000 }).toBe('running');
    await shot(page, '12a-run-view-training');
    await page.getByRole('tab', { name: 'Metrics' }).click();
    const chart = page.getByRole('img', { name: 'loss per epoch' });
    await chart.waitFor({ timeout: 60_000 });
    const points = async (): Promise<number> => Number(/loss: (\d+) points/.exec((await chart.textContent()) ?? '')?.[1] ?? 0);
    const before = await points();
    // More points arrive while the task still runs (no event, no reload).
    await expect.poll(points, { timeout: 60_000 }).toBeGreaterThan(before);
    // Still running, as the task list says it (the graph's node may be panned off screen by then:
    // with only visible nodes rendered it is then absent, which says nothing about the task).
    await expect.poll(async () => (await page.getByTestId('task-list-train-classifier').textContent()) ?? '', { timeout: 10_000 }).toMatch(/running/);
    await shot(page, '12-metrics-live');

    await page.getByRole('button', { name: 'Cancel run' }).click();
    await page.getByRole('button', { name: 'Yes, cancel the run' }).click();
    await page.locator('[data-testid="run-status"][data-status="cancelling"]').waitFor({ timeout: 10_000 });
    await expect(page.getByTestId('run-status').textContent()).resolves.toBe('cancelling…');
    expect(await page.getByRole('button', { name: 'Cancel run' }).count()).toBe(0);
    await page.locator('[data-testid="run-status"][data-status="cancelled"]').waitFor({ timeout: 120_000 });
    const outcome = (await page.getByTestId('run-outcome').textContent()) ?? '';
    expect(outcome).toMatch(/cancelled/);
    expect(outcome).not.toMatch(/failed/);
    await shot(page, '13-run-cancelled');
    expect(errors).toEqual([]);
    await page.context().close();
  }, 480_000);

  it('offers the pipelines by name in the runs filter', async () => {
    const { page, errors } = await openPage(world.browser, `${world.dev.url}/#/runs`);
    const select = page.getByLabel('Pipeline');
    await expect.poll(async () => select.locator('option').allTextContents(), { timeout: 30_000 }).toEqual(['any', 'iris']);
    await select.selectOption('iris');
    await page.waitForURL(/#\/runs\?.*pipeline=iris/);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('shows an artifact reused by a later run folded on its node, expandable to that run and task', async () => {
    const first = irisRunId();
    await waitForRun(first);
    const detail = await world.api.getRun({ params: { runId: first } });
    const dataset = detail.artifacts.find((a) => a.taskId === 'load-iris' && a.port === 'dataset');
    expect(dataset).toBeDefined();
    const version = await world.api.getPipelineVersion({ params: { pipeline: 'iris', version: detail.run.pipelineVersionId } });
    const { run: again } = await world.api.submitRun({ body: { spec: version.version.spec, params: detail.run.params } });
    await waitForRun(again.id);

    const { page, errors } = await openPage(world.browser, `${world.dev.url}/#/lineage/artifact/${dataset?.id ?? ''}`);
    await page.locator('[data-testid="lineage-status"][data-state="ready"]').waitFor({ timeout: 30_000 });
    const node = page.getByTestId(`lineage-node-artifact-${dataset?.id ?? ''}`);
    await expect.poll(() => node.getByTestId('lineage-node-reused').textContent(), { timeout: 30_000 }).toMatch(/reused by [1-9]\d* runs?$/);
    await node.click();
    const evidence = page.getByTestId('lineage-evidence');
    await evidence.getByTestId('lineage-reused-by').locator('summary').click();
    const link = evidence.getByRole('link', { name: new RegExp(`run ${again.id} → load-iris`) });
    await link.waitFor({ timeout: 30_000 });
    await expect(link.getAttribute('href')).resolves.toContain(`#/runs/${again.id}`);
    await shot(page, '14-lineage-reused-by');
    expect(errors).toEqual([]);
    await page.context().close();
  });
});
