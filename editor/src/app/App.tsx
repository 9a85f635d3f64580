/**
 * The shell: a top bar with the main views and the page for the current hash route. Pages own
 * their data; they talk to the engine through `api/client.ts` only.
 */
import { Component, type ErrorInfo, type ReactElement, type ReactNode } from 'react';
import { EditorPage } from '../pages/editor/EditorPage';
import { LineagePage } from '../pages/lineage/LineagePage';
import { PipelinesPage } from '../pages/pipelines/PipelinesPage';
import { RunPage } from '../pages/run/RunPage';
import { RunsPage } from '../pages/runs/RunsPage';
import { ModelPage, ModelsPage } from '../pages/models/ModelsPage';
import { ComparePage } from '../pages/compare/ComparePage';
import { DiffPage } from '../pages/diff/DiffPage';
import { href, useRoute, type Route } from './route';

function page(route: Route & { seq: number }): ReactElement {
  switch (route.view) {
    case 'pipelines':
      return <PipelinesPage />;
    case 'editor':
      return <EditorPage key={`${route.pipeline ?? ''}@${route.version ?? ''}#${route.seq}`} pipeline={route.pipeline} version={route.version} />;
    case 'runs':
      return <RunsPage query={route.query} />;
    case 'compare':
      return <ComparePage key={route.query.get('runs') ?? ''} query={route.query} />;
    case 'diff':
      return <DiffPage key={route.pipeline} pipeline={route.pipeline} query={route.query} />;
    case 'models':
      return <ModelsPage />;
    case 'model':
      return <ModelPage key={route.name} name={route.name} />;
    case 'run':
      return <RunPage key={route.runId} runId={route.runId} query={route.query} />;
    case 'lineage':
      return <LineagePage key={`${route.kind}:${route.id}`} kind={route.kind} id={route.id} query={route.query} />;
    case 'notFound':
      return (
        <main className="page">
          <h1>Not found</h1>
          <p>
            Nothing lives at <code>#{route.hash}</code>. Go to the <a href={href.pipelines()}>pipelines</a> or the <a href={href.runs()}>runs</a>.
          </p>
        </main>
      );
  }
}

/** Last line of defence: a page that throws while rendering shows the error and a way home, not a blank app. */
export class ErrorBoundary extends Component<{ children: ReactNode }, { error: Error | undefined }> {
  override state: { error: Error | undefined } = { error: undefined };

  static getDerivedStateFromError(error: unknown): { error: Error } {
    return { error: error instanceof Error ? error : new Error(String(error)) };
  }

  override componentDidCatch(error: unknown, info: ErrorInfo): void {
    console.error('sluice editor: a page failed to render', error, info.componentStack);
  }

  override render(): ReactNode {
    const { error } = this.state;
    if (!error) return this.props.children;
    return (
      <main className="page">
        <h1>Something went wrong</h1>
        <p className="error-text" role="alert">
          {error.message}
        </p>
        <p>
          <a href={href.pipelines()} onClick={() => this.setState({ error: undefined })}>
            Back to the pipelines
          </a>
        </p>
      </main>
    );
  }
}

export function App(): ReactElement {
  const route = useRoute();
  const current = route.view === 'editor' || route.view === 'pipelines' || route.view === 'diff' ? 'pipelines' : route.view === 'lineage' ? 'lineage' : route.view === 'models' || route.view === 'model' ? 'models' : 'runs';
  return (
    <div className="shell">
      <header className="topbar">
        <a className="brand" href={href.pipelines()}>
          Sluice
        </a>
        <nav aria-label="Main">
          <a href={href.pipelines()} aria-current={current === 'pipelines' ? 'page' : undefined}>
            Pipelines
          </a>
          <a href={href.runs()} aria-current={current === 'runs' ? 'page' : undefined}>
            Runs
          </a>
          <a href={href.models()} aria-current={current === 'models' ? 'page' : undefined}>
            Models
          </a>
          <a href="/api/docs/">API</a>
        </nav>
      </header>
      <ErrorBoundary key={route.view}>{page(route)}</ErrorBoundary>
    </div>
  );
}
