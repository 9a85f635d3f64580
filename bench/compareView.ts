/**
 * `npm run bench:compare`: how long the editor's compare view takes for 50 runs, each with two
 * 100-step metric series, in headless Chromium.
 *
 * Starts `sluice dev` (the real API serving the built editor), records 50 runs through the MLflow
 * tracking API (the quickest way to runs with series: no pipeline executes), each with a varying
 * `lr` and `layers`, `loss` and `accuracy` at steps 1..100 and a final `f1`, then opens
 * `#/compare?runs=<50 ids>` and times from navigation until every overlaid chart draws all 50 runs
 * and the parallel-coordinates plot is there (the view is ready). Prints each try and the median,
 * and where the time goes: the one API call the view makes (GET /api/runs/compare?points=true for
 * the 50), timed alone from Node, against the page's own part (parse and render).
 * Needs the editor build (`bash scripts/ensure-editor.sh`) and Chromium.
 */
import os from 'node:os';
import { launchChromium, openPage } from '../test/e2e/support/browser';
import { startDevServer } from '../test/e2e/support/devServer';

const RUNS = 50;
const STEPS = 100;
const TRIES = 5;

async function post(url: string, path: string, body: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(`${url}/mlflow/api/2.0/mlflow/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as Record<string, unknown>;
}

async function seed(url: string): Promise<string[]> {
  const ids: string[] = [];
  for (let r = 0; r < RUNS; r++) {
    const created = (await post(url, 'runs/create', { experiment_id: '0', run_name: `bench-${r}` })) as { run: { info: { run_id: string } } };
    const runId = created.run.info.run_id;
    const lr = 0.001 * (1 + (r % 10));
    const layers = 1 + (r % 4);
    const metrics = [];
    for (let s = 1; s <= STEPS; s++) {
      const loss = Math.exp(-s * lr * 5) + 0.05 * layers + 0.01 * Math.sin(s + r);
      metrics.push({ key: 'loss', value: loss, step: s, timestamp: Date.now() }, { key: 'accuracy', value: 1 - loss / 2, step: s, timestamp: Date.now() });
    }
    metrics.push({ key: 'f1', value: 0.8 + (r % 7) / 50, step: 0, timestamp: Date.now() });
    await post(url, 'runs/log-batch', {
      run_id: runId,
      params: [
        { key: 'lr', value: String(lr) },
        { key: 'layers', value: String(layers) },
      ],
      metrics,
    });
    ids.push(runId);
  }
  return ids;
}

async function main(): Promise<void> {
  const dev = await startDevServer();
  const browser = await launchChromium();
  try {
    const ids = await seed(dev.url);
    const { page, errors } = await openPage(browser, `${dev.url}/#/runs`);
    const times: number[] = [];
    for (let i = 0; i < TRIES; i++) {
      await page.goto(`${dev.url}/#/runs`);
      await page.waitForSelector('h1');
      const t0 = Date.now();
      // Strings, not functions: tsx wraps functions in a `__name` helper the page lacks (and Node's types have no DOM).
      await page.evaluate(`window.location.hash = ${JSON.stringify(`#/compare?runs=${ids.join(',')}`)}`);
      await page.waitForFunction(
        `document.querySelectorAll('[data-testid="parallel-coordinates"]').length === 1 &&
         document.querySelectorAll('[data-testid^="series-chart-"]').length === 2 &&
         [...document.querySelectorAll('[data-testid^="series-chart-"]')].every((c) => c.querySelectorAll('[data-series]').length === ${RUNS})`,
        undefined,
        { timeout: 60_000, polling: 'raf' },
      );
      times.push(Date.now() - t0);
    }
    const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
    // Where the time goes: the one request the view makes, alone from Node; the rest is the page.
    const compareMs: number[] = [];
    for (let i = 0; i < TRIES; i++) {
      const t = Date.now();
      await (await fetch(`${dev.url}/api/runs/compare?ids=${ids.join(',')}&points=true`)).json();
      compareMs.push(Date.now() - t);
    }
    console.log(`API alone: GET /api/runs/compare?points=true (50 runs) median ${median(compareMs)} ms; the page's own part (fetch parse + render) about ${median(times) - median(compareMs)} ms`);
    const sorted = [...times].sort((a, b) => a - b);
    console.log(`compare view, ${RUNS} runs x 2 series x ${STEPS} steps: ready in ${times.map((t) => `${t} ms`).join(', ')}; median ${sorted[Math.floor(sorted.length / 2)]} ms (goal 1000 ms), load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
    if (errors.length) console.log('page errors:', errors);
  } finally {
    await browser.close();
    await dev.stop();
  }
}

await main();
