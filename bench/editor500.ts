/**
 * `npm run bench:editor`: how the editor copes with a 500-node pipeline in headless Chromium.
 *
 * Starts `sluice dev` (the real API serving the built editor), registers a layered 500-task
 * pipeline and, as the baseline measured in the same run, a 20-task one of the same shape, then for
 * each opens it in the editor and measures:
 *   - time to interactive: from navigation to the canvas answering a click on a task (selected);
 *     plus the main thread's long-task time (total blocking time) while opening;
 *   - frame times while panning by mouse drag, with everything in view (fit view: nodes drawn
 *     simplified) and at zoom 1 (full nodes, off-screen ones culled).
 * Prints the figures and the 500/20 ratios. Needs the editor build (`npm run build:editor`) and
 * Chromium (`bash scripts/ensure-chromium.sh`).
 */
import { compile, component, pipeline, t, type AnyPipeline } from 'sluice/dsl';
import type { Page } from 'playwright-core';
import { launchChromium, openPage } from '../test/e2e/support/browser';
import { startDevServer } from '../test/e2e/support/devServer';

const step = component({ name: 'bench-step', inputs: { a: t.int(), b: t.int({ default: 0 }) }, outputs: { y: t.int() }, run: ({ a, b }) => ({ y: a + b }) });

/** `width` tasks per layer, `depth` layers; each task reads two tasks of the layer before. */
function layered(width: number, depth: number): AnyPipeline {
  return pipeline({ name: `bench-editor-${width * depth}` }, (p) => {
    let prev = Array.from({ length: width }, (_, i) => p.task(step, { a: i }, { id: `l0_${i}` }));
    for (let l = 1; l < depth; l++) {
      const layer = prev;
      prev = layer.map((_, i) =>
        p.task(step, { a: layer[i]!.outputs.y, b: layer[(i + 1) % width]!.outputs.y }, { id: `l${l}_${i}` }),
      );
    }
    return { y: prev[0]!.outputs.y };
  });
}

interface Figures {
  nodes: number;
  ttiMs: number;
  blockingMs: number;
  panFitMs: FrameStats;
  panZoom1Ms: FrameStats;
}
interface FrameStats {
  mean: number;
  p95: number;
  max: number;
  frames: number;
}

async function register(url: string, p: AnyPipeline): Promise<string> {
  const { spec } = compile(p);
  const res = await fetch(`${url}/api/pipelines`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ spec }) });
  if (!res.ok) throw new Error(`registering ${spec.name} failed: HTTP ${res.status} ${await res.text()}`);
  return spec.name;
}

/** Frame intervals (ms) while `action` runs, from requestAnimationFrame timestamps. */
async function frameTimes(page: Page, action: () => Promise<void>): Promise<FrameStats> {
  // A string, not a function: tsx wraps named functions in a `__name` helper the page lacks.
  await page.evaluate(`(() => {
    window.__frames = [];
    window.__recording = true;
    let last = performance.now();
    const tick = (now) => {
      window.__frames.push(now - last);
      last = now;
      if (window.__recording) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  })()`);
  await action();
  const frames = await page.evaluate(() => {
    const w = window as unknown as { __frames: number[]; __recording: boolean };
    w.__recording = false;
    return w.__frames.slice(1);
  });
  const sorted = [...frames].sort((a, b) => a - b);
  const mean = frames.reduce((s, x) => s + x, 0) / Math.max(1, frames.length);
  return { mean, p95: sorted[Math.floor(sorted.length * 0.95)] ?? 0, max: sorted[sorted.length - 1] ?? 0, frames: frames.length };
}

async function pan(page: Page): Promise<void> {
  const box = await page.locator('.react-flow__pane').boundingBox();
  if (!box) throw new Error('no React Flow pane on the page');
  // Start near the pane's top-left corner, which fitView leaves empty.
  const x0 = box.x + 12;
  const y0 = box.y + 12;
  await page.mouse.move(x0, y0);
  await page.mouse.down();
  for (let i = 1; i <= 60; i++) await page.mouse.move(x0 + i * 6, y0 + i * 3);
  for (let i = 60; i >= 0; i--) await page.mouse.move(x0 + i * 6, y0 + i * 3);
  await page.mouse.up();
}

async function measure(url: string, name: string, nodes: number): Promise<Figures> {
  const browser = await launchChromium();
  try {
    const { page, errors } = await openPage(browser, 'about:blank');
    // Long tasks are reported only to observers: observe from the first script on.
    await page.addInitScript(`
      window.__blocking = 0;
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) window.__blocking += Math.max(0, e.duration - 50);
      }).observe({ type: 'longtask', buffered: true });
    `);
    const t0 = Date.now();
    await page.goto(`${url}/#/pipelines/${encodeURIComponent(name)}`);
    const first = page.locator('[data-testid^="node-"]').first();
    await first.waitFor({ state: 'visible', timeout: 120_000 });
    await first.click();
    await page.locator('.react-flow__node.selected').first().waitFor({ timeout: 60_000 });
    const ttiMs = Date.now() - t0;
    const blockingMs = await page.evaluate(() => (window as unknown as { __blocking: number }).__blocking);
    await page.keyboard.press('Escape');
    // Everything in view (the editor opens at zoom 0.5 at least): nodes are drawn simplified.
    await page.locator('.react-flow__controls-fitview').click();
    await page.waitForTimeout(500);
    const panFitMs = await frameTimes(page, () => pan(page));
    // Zoom to 1 around the pane's centre (React Flow zooms on the wheel).
    const box = await page.locator('.react-flow__pane').boundingBox();
    if (box) await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    for (let i = 0; i < 12; i++) {
      const zoom = await page.evaluate(() => {
        const el = document.querySelector<HTMLElement>('.react-flow__viewport');
        const m = /scale\(([\d.]+)\)/.exec(el?.style.transform ?? '');
        return m ? Number(m[1]) : 1;
      });
      if (zoom >= 0.95) break;
      await page.mouse.wheel(0, -200);
      await page.waitForTimeout(80);
    }
    const panZoom1Ms = await frameTimes(page, () => pan(page));
    if (errors.length) console.warn(`page errors while measuring ${name}:\n${errors.join('\n')}`);
    return { nodes, ttiMs, blockingMs, panFitMs, panZoom1Ms };
  } finally {
    await browser.close();
  }
}

const fmt = (s: FrameStats): string => `mean ${s.mean.toFixed(1)} ms, p95 ${s.p95.toFixed(1)} ms, max ${s.max.toFixed(0)} ms (${s.frames} frames)`;

async function main(): Promise<void> {
  const dev = await startDevServer();
  try {
    const small = await register(dev.url, layered(4, 5));
    const big = await register(dev.url, layered(25, 20));
    // Warm-up: the first page load compiles the bundle's JS in Chromium.
    await measure(dev.url, small, 20);
    const base = await measure(dev.url, small, 20);
    const large = await measure(dev.url, big, 500);
    for (const f of [base, large]) {
      console.log(`${f.nodes} nodes: time to interactive ${f.ttiMs} ms (long-task blocking ${f.blockingMs.toFixed(0)} ms)`);
      console.log(`  pan, everything in view: ${fmt(f.panFitMs)}`);
      console.log(`  pan, zoom 1:             ${fmt(f.panZoom1Ms)}`);
    }
    console.log(`ratio 500/20: time to interactive ${(large.ttiMs / base.ttiMs).toFixed(2)}, ` +
      `pan frame (fit) ${(large.panFitMs.mean / base.panFitMs.mean).toFixed(2)}, pan frame (zoom 1) ${(large.panZoom1Ms.mean / base.panZoom1Ms.mean).toFixed(2)}`);
  } finally {
    await dev.stop();
  }
}

await main();
