/**
 * `sluice dev --temporal-ui`: the Temporal dev server's Web UI is served, its URL printed, and the
 * API tells clients (the run view) where it is, so that a run's link opens its own workflow there.
 * Without the flag (test/e2e/editorSaving.test.ts checks it) the API says there is none.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadIris } from '../../components/index';
import { compile, pipeline } from '../../dsl/index';
import { createApiClient, temporalWorkflowUrl } from '../../engine/contract/index';
import { startDevServer, type DevServer } from '../e2e/support/devServer';
import { waitForOutput } from '../support/cliProcess';

let dev: DevServer;

beforeAll(async () => {
  dev = await startDevServer('--temporal-ui');
}, 240_000);

afterAll(async () => {
  await dev?.stop();
});

/** The UI server starts with the dev server's gRPC port, but may answer a moment later. */
async function fetchWhenUp(url: string): Promise<Response> {
  for (let i = 0; ; i++) {
    try {
      return await fetch(url);
    } catch (e) {
      if (i >= 60) throw e;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

describe('sluice dev --temporal-ui', () => {
  it('serves the Web UI, prints its URL, and the API links a run to its workflow there', async () => {
    // Printed after "Sluice is up" (which startDevServer waits for) once the model server listens.
    const printed = (await waitForOutput(dev.cli.out, /Temporal Web UI (http:\/\/\S+)/, 60_000))[1];
    expect(printed, dev.cli.out()).toBeDefined();

    const api = createApiClient({ baseUrl: dev.url });
    const { temporalUi } = await api.serverInfo();
    expect(temporalUi).toEqual({ url: printed, namespace: 'default' });

    const page = await fetchWhenUp(printed ?? '');
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/<html/i);

    const { run } = await api.submitRun({ body: { spec: compile(pipeline({ name: 'temporal-ui-link' }, (p) => void p.task(loadIris, {}))).spec } });
    const link = temporalWorkflowUrl(temporalUi, run.workflowId);
    expect(link).toBe(`${printed}/namespaces/default/workflows/${encodeURIComponent(run.workflowId)}`);
    expect((await fetchWhenUp(link ?? '')).status).toBe(200);
    // The UI's own API (what the linked page reads) knows this workflow by that id.
    const described = await fetchWhenUp(`${printed}/api/v1/namespaces/default/workflows/${encodeURIComponent(run.workflowId)}`);
    expect(described.status).toBe(200);
    expect(JSON.stringify(await described.json())).toContain(run.workflowId);
  });
});
