// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ModelPage } from './ModelsPage';

/** The API server, as far as the page asks it: answers that match the contract (the client checks them). */
const server = vi.hoisted(() => {
  const t = '2030-01-01T00:00:00.000Z';
  const state = {
    aliases: { champion: 1, challenger: 2 } as Record<string, number>,
    events: [
      { id: 1, model: 'iris', alias: 'champion', fromVersion: null, toVersion: 1, actor: 'alice', note: 'first blessed model', createdAt: t },
      { id: 2, model: 'iris', alias: 'challenger', fromVersion: null, toVersion: 2, actor: 'run r2 task register-model', note: 'blessed', createdAt: t },
    ] as { id: number; model: string; alias: string; fromVersion: number | null; toVersion: number | null; actor: string; note: string; createdAt: string }[],
    posted: [] as unknown[],
  };
  const model = () => ({ name: 'iris', description: null, tags: {}, createdAt: t, updatedAt: t, aliases: { ...state.aliases }, latestVersion: 2 });
  const version = (n: number, runId: string) => ({
    model: 'iris',
    version: n,
    artifactId: `${runId}.export-onnx.onnx`,
    description: null,
    tags: {},
    createdBy: `run ${runId} task register-model`,
    sourceExecutionId: `${runId}.register-model`,
    createdAt: t,
    aliases: Object.entries(state.aliases).filter(([, v]) => v === n).map(([a]) => a),
    artifact: null,
    producer: { runId, executionId: `${runId}.export-onnx`, taskId: 'export-onnx' },
    metrics: { accuracy: n === 2 ? 0.9667 : 0.9333 },
  });
  const json = (body: unknown) => ({ status: 200, ok: true, text: () => Promise.resolve(JSON.stringify(body)) });
  globalThis.fetch = ((url: string, init: { method: string; body?: string }) => {
    if (url === '/api/models/iris') return Promise.resolve(json({ model: model(), versions: [version(2, 'r2'), version(1, 'r1')] }));
    if (url === '/api/models/iris/history') return Promise.resolve(json({ events: state.events }));
    if (url === '/api/models/iris/aliases/champion' && init.method === 'POST') {
      const body = JSON.parse(init.body ?? '{}') as { version: number; note: string };
      state.posted.push(body);
      const event = { id: 3, model: 'iris', alias: 'champion', fromVersion: state.aliases.champion ?? null, toVersion: body.version, actor: 'local', note: body.note, createdAt: t };
      state.aliases.champion = body.version;
      state.events.push(event);
      return Promise.resolve(json({ moved: true, event, model: model() }));
    }
    return Promise.resolve({ status: 404, ok: false, text: () => Promise.resolve('{}') });
  }) as unknown as typeof fetch;
  return state;
});

afterEach(cleanup);

describe('the model page', () => {
  it("shows versions with their run's metrics and links to lineage and the run, the alias history as a timeline, and moves an alias with a note", async () => {
    render(<ModelPage name="iris" />);
    const v2 = await screen.findByTestId('model-version-2');
    expect(v2.textContent).toContain('challenger');
    expect(v2.textContent).toContain('accuracy 0.9667');
    expect(v2.querySelector('a[href="#/lineage/artifact/r2.export-onnx.onnx"]')).not.toBeNull();
    expect(v2.querySelector('a[href="#/runs/r2?task=export-onnx"]')?.textContent).toBe('run r2 (export-onnx)');
    const history = screen.getByTestId('alias-history');
    expect([...history.querySelectorAll('li')].map((li) => li.textContent?.replace(/ · .*? · /, ' · '))).toEqual([
      expect.stringMatching(/^challenger \(new\) → v2 · by run r2 task register-model\s*blessed$/),
      expect.stringMatching(/^champion \(new\) → v1 · by alice\s*first blessed model$/),
    ]);

    fireEvent.change(screen.getByTestId('alias-version'), { target: { value: '2' } });
    fireEvent.change(screen.getByTestId('alias-note'), { target: { value: 'won the A/B test' } });
    fireEvent.click(screen.getByRole('button', { name: 'Move' }));
    await waitFor(() => expect(screen.getByTestId('alias-history').querySelectorAll('li')).toHaveLength(3));
    // A compare-and-set against the version the page showed.
    expect(server.posted).toEqual([{ version: 2, note: 'won the A/B test', expectedVersion: 1 }]);
    expect(screen.getByTestId('alias-history').querySelector('li')?.textContent).toMatch(/^champion v1 → v2/);
    expect(screen.getByTestId('model-version-2').textContent).toContain('champion');
  });
});
