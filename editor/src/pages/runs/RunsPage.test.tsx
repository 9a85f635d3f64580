// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { RunsPage } from './RunsPage';

/** The API server, as far as the runs page asks it (answers the client checks against the contract). */
vi.hoisted(() => {
  const t = '2030-01-01T00:00:00.000Z';
  const run = (id: string, epochs: number) => ({
    id,
    pipelineVersionId: 'v1',
    pipelineName: 'iris',
    status: 'succeeded',
    params: { epochs, learningRate: 0.1 },
    trigger: { kind: 'api' },
    workflowId: `run-${id}`,
    failedTask: null,
    error: null,
    outputs: {},
    createdAt: t,
    startedAt: t,
    finishedAt: t,
    experiment: null,
    taskCounts: { succeeded: 3 },
  });
  const json = (body: unknown) => ({ status: 200, ok: true, text: () => Promise.resolve(JSON.stringify(body)) });
  globalThis.fetch = ((url: string) => {
    const path = url.split('?')[0];
    if (path === '/api/runs') return Promise.resolve(json({ runs: [run('r1', 3), run('r2', 5)], nextCursor: null }));
    if (path === '/api/pipelines') return Promise.resolve(json({ pipelines: [] }));
    if (path === '/api/experiments') return Promise.resolve(json({ experiments: [] }));
    return Promise.resolve({ status: 404, ok: false, text: () => Promise.resolve('{}') });
  }) as unknown as typeof fetch;
  // jsdom has no EventSource; the page's live updates are not what these tests look at.
  globalThis.EventSource = class {
    onerror: (() => void) | null = null;
    addEventListener(): void {}
    close(): void {}
  } as unknown as typeof EventSource;
});

let unlisten = (): void => undefined;
afterEach(() => {
  unlisten();
  cleanup();
  window.location.hash = '';
});

/** Renders the page for the address's query, as the app's route does on every hashchange. */
function renderAtAddress(): void {
  const query = (): URLSearchParams => new URLSearchParams(window.location.hash.split('?')[1] ?? '');
  const view = render(<RunsPage query={query()} />);
  const onChange = (): void => view.rerender(<RunsPage query={query()} />);
  window.addEventListener('hashchange', onChange);
  unlisten = () => window.removeEventListener('hashchange', onChange);
}

describe('the runs page', () => {
  it('keeps both columns when two are ticked before the first tick reached the address (regression: the second tick dropped the first)', async () => {
    window.location.hash = '#/runs';
    renderAtAddress();
    await screen.findByRole('checkbox', { name: 'epochs' });
    // Both ticks in one go: the hashchange of the first has not re-rendered the page yet.
    fireEvent.click(screen.getByRole('checkbox', { name: 'epochs' }));
    fireEvent.click(screen.getByRole('checkbox', { name: 'learningRate' }));
    await waitFor(() => expect(new URLSearchParams(window.location.hash.split('?')[1]).get('cols')).toBe('params.epochs,params.learningRate'));
    await waitFor(() => expect(screen.getByRole<HTMLInputElement>('checkbox', { name: 'epochs' }).checked).toBe(true));
    expect(screen.getByRole<HTMLInputElement>('checkbox', { name: 'learningRate' }).checked).toBe(true);
  });
});
