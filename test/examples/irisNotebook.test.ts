/**
 * examples/iris-notebook.ts end to end on a real stack: the notebook task runs papermill on the
 * split's training rows, and the API previews its HTML (what the run view shows, sanitised) with
 * the values the notebook computed. Skipped, saying why, only where python3 or its venv module is
 * missing (scripts/ensure-notebook.sh exits 2).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as components from '../../components/index';
import { ensureNotebookPython } from '../../components/testing/notebookPython';
import type { RunningApiServer } from '../../engine/server/index';
import irisNotebook from '../../examples/iris-notebook';
import { startTestApi } from '../support/apiServer';
import { startTestStack, type TestStack } from '../support/stackHarness';

const tools = ensureNotebookPython();
if (tools.reason) console.warn(`skipping examples/iris-notebook.ts: ${tools.reason}`);

describe.skipIf(!tools.python)('examples/iris-notebook.ts', () => {
  let ts: TestStack;
  let api: RunningApiServer;
  const saved = process.env.SLUICE_NOTEBOOK_PYTHON;
  beforeAll(async () => {
    process.env.SLUICE_NOTEBOOK_PYTHON = tools.python;
    ts = await startTestStack('pglite', [components]);
    api = await startTestApi(ts);
  });
  afterAll(async () => {
    await api?.close();
    await ts?.stop();
    if (saved === undefined) delete process.env.SLUICE_NOTEBOOK_PYTHON;
    else process.env.SLUICE_NOTEBOOK_PYTHON = saved;
  });

  it('runs the notebook on the training rows, and its HTML preview shows what it computed', async () => {
    const run = await ts.run(irisNotebook, { parameters: { title: 'Iris by species', decimals: 3 } });
    expect(run.error).toBeNull();
    const execs = await ts.stack.metadata.listExecutions(run.id);
    expect(execs.find((e) => e.taskId === 'run-notebook')?.outputParams?.codeCells).toBeGreaterThan(3);

    const html = run.outputs?.html as string;
    const res = await fetch(`${api.url}/api/artifacts/${encodeURIComponent(html)}/preview`);
    expect(res.status).toBe(200);
    const { preview } = (await res.json()) as { preview: { kind: string; mediaType?: string; text?: string; truncated?: boolean } };
    expect(preview).toMatchObject({ kind: 'text', mediaType: 'text/html', truncated: false });
    expect(preview.text).toContain('Iris by species');
    expect(preview.text).toContain('rows: 120'); // the training rows the notebook read
    expect(preview.text).toContain('held out: 30 rows');
    expect(preview.text).toMatch(/longest mean petal: virginica \(\d\.\d{3} cm\)/);

    const executed = await ts.stack.metadata.getArtifact(run.outputs?.notebook as string);
    expect(executed?.type).toBe('Notebook');
  });
});
