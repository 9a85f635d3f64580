// @vitest-environment jsdom
import { act, cleanup, render, screen, waitFor } from '@testing-library/react';
import type { ReactElement } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ErrorBoundary } from './App';
import { parseRoute, useLeaveGuard, useRoute } from './route';

afterEach(cleanup);

describe('routes', () => {
  it('a malformed escape is "not found", not a crash (regression: #/runs/%E0 blanked the app)', () => {
    expect(parseRoute('#/runs/%E0')).toEqual({ view: 'notFound', hash: '/runs/%E0' });
    expect(parseRoute('#/runs/a%20b')).toMatchObject({ view: 'run', runId: 'a b' });
    expect(parseRoute('#/compare?runs=a,b')).toMatchObject({ view: 'compare' });
    expect(parseRoute('#/pipelines/iris/diff?from=v1&to=v2')).toMatchObject({ view: 'diff', pipeline: 'iris' });
  });
});

function Shell({ mayLeave }: { mayLeave: () => boolean }): ReactElement {
  const route = useRoute();
  return <p data-testid="view">{route.view === 'editor' ? <Guarded mayLeave={mayLeave} /> : route.view}</p>;
}

function Guarded({ mayLeave }: { mayLeave: () => boolean }): ReactElement {
  useLeaveGuard(mayLeave);
  return <>editor</>;
}

describe('leave guard', () => {
  it('keeps the page and restores the address when the guard says no (regression: in-app links dropped unsaved edits)', async () => {
    window.history.replaceState(null, '', '#/new');
    let answer = false;
    const mayLeave = vi.fn(() => answer);
    render(<Shell mayLeave={mayLeave} />);
    expect(screen.getByTestId('view').textContent).toBe('editor');

    act(() => {
      window.location.hash = '#/runs';
    });
    await waitFor(() => expect(mayLeave).toHaveBeenCalledTimes(1));
    expect(screen.getByTestId('view').textContent).toBe('editor');
    expect(window.location.hash).toBe('#/new');

    answer = true;
    act(() => {
      window.location.hash = '#/runs';
    });
    await waitFor(() => expect(screen.getByTestId('view').textContent).toBe('runs'));
    expect(mayLeave).toHaveBeenCalledTimes(2);
  });
});

function Boom(): ReactElement {
  throw new Error('kaput');
}

describe('ErrorBoundary', () => {
  it('shows the error and a link home instead of a blank app', () => {
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    render(
      <ErrorBoundary>
        <Boom />
      </ErrorBoundary>,
    );
    expect(screen.getByRole('alert').textContent).toBe('kaput');
    expect(screen.getByRole('link', { name: 'Back to the pipelines' }).getAttribute('href')).toBe('#/pipelines');
    vi.restoreAllMocks();
  });
});
