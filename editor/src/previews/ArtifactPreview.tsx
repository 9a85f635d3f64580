/**
 * One artifact, shown for what it is: a dataset as a table (schema, first rows, row count), metrics
 * as a table, ClassificationMetrics as scores + confusion heatmap + ROC/PR curves, Markdown and HTML
 * sanitised, a model with its properties, a directory as its files; always its properties, a
 * download link and a link to its lineage. `PreviewBody` renders a preview already fetched (tests);
 * `ArtifactPreview` fetches GET /api/artifacts/:id/preview.
 */
import { useEffect, useState, type ReactElement } from 'react';
import { ApiError, api } from '../api/client';
import { href } from '../app/route';
import type { Artifact, ArtifactPreview as Preview, JsonValue, TablePreview as TableData } from 'sluice/api';
import { formatBytes } from '../lineage/graph';
import { readClassificationMetrics } from './classificationMetrics';
import { ClassificationMetricsView } from './ClassificationMetricsView';
import { flattenNumbers, JsonView, KeyValueTable } from './JsonView';
import { markdownToSafeHtml, sanitizeHtml } from './sanitize';

/** The download link of an artifact's content (the token in the query: a link sends no header). */
export const contentUrl = (id: string): string => api.url('downloadArtifact', { params: { artifactId: id } });

const cell = (v: JsonValue): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : (JSON.stringify(v) ?? ''));

function TablePreview({ preview }: { preview: TableData }): ReactElement {
  const shown = preview.rows.length;
  const total = preview.totalRows;
  return (
    <div className="table-preview">
      <p className="muted" data-testid="dataset-rowcount">
        {total !== null ? `${total} rows` : 'rows: unknown (CSV read from its head)'} · {preview.columns.length} columns · first {shown} shown
        {preview.target ? ` · target: ${preview.target}` : ''}
      </p>
      {preview.columnTypes && (
        <table className="data-table schema">
          <caption>Schema</caption>
          <thead>
            <tr>
              <th scope="col">column</th>
              <th scope="col">type</th>
            </tr>
          </thead>
          <tbody>
            {preview.columns.map((c, i) => (
              <tr key={c}>
                <th scope="row">
                  {c}
                  {c === preview.target ? ' (target)' : ''}
                </th>
                <td>{preview.columnTypes?.[i] ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <div className="scroll-x">
        <table className="data-table">
          <caption>First rows</caption>
          <thead>
            <tr>
              {preview.columns.map((c) => (
                <th key={c} scope="col">
                  {c}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {preview.rows.map((row, i) => (
              <tr key={i}>
                {preview.columns.map((c, j) => (
                  <td key={c}>{cell(row[j] ?? null)}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}

function SafeHtml({ html, label }: { html: string; label: string }): ReactElement {
  // Sanitised just above: DOMPurify drops scripts, handlers and javascript: URLs.
  return <div className="rendered-doc" role="document" aria-label={label} dangerouslySetInnerHTML={{ __html: html }} />;
}

function Body({ artifact, preview }: { artifact: Artifact; preview: Preview }): ReactElement {
  switch (preview.kind) {
    case 'table':
      return <TablePreview preview={preview} />;
    case 'text':
      if (preview.mediaType === 'text/markdown') return <SafeHtml html={markdownToSafeHtml(preview.text)} label={`${artifact.name} (Markdown)`} />;
      if (preview.mediaType === 'text/html') return <SafeHtml html={sanitizeHtml(preview.text)} label={`${artifact.name} (HTML, sanitised)`} />;
      return <pre className="text-preview">{preview.text}</pre>;
    case 'json': {
      const classification = /metrics/i.test(artifact.type) ? readClassificationMetrics(preview.value) : undefined;
      if (classification) return <ClassificationMetricsView view={classification} />;
      if (/metrics/i.test(artifact.type)) return <KeyValueTable rows={flattenNumbers(preview.value)} caption="Metrics" />;
      return <JsonView value={preview.value} name={artifact.type === 'Model' ? 'model file' : 'content'} open={artifact.type !== 'Model'} />;
    }
    case 'directory':
      return (
        <table className="data-table">
          <caption>Files{preview.truncated ? ' (first ones)' : ''}</caption>
          <tbody>
            {preview.files.map((f) => (
              <tr key={f.path}>
                <th scope="row">{f.path}</th>
                <td>{formatBytes(f.size)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      );
    case 'none':
      return <p className="muted">No preview: {preview.reason}</p>;
  }
}

export function PreviewBody({ artifact, preview, showLineageLink = true }: { artifact: Artifact; preview: Preview; showLineageLink?: boolean }): ReactElement {
  const properties = flattenNumbers(artifact.properties);
  const isModel = artifact.type === 'Model';
  const truncated = 'truncated' in preview && preview.truncated && preview.kind === 'text';
  return (
    <section className="artifact-preview" aria-label={`${artifact.type} ${artifact.name}`} data-testid="artifact-preview" data-artifact-type={artifact.type}>
      <header className="artifact-head">
        <h3>
          <span className="type-badge">{artifact.type}</span> {artifact.name}
        </h3>
        <p className="muted">
          {formatBytes(artifact.size)} · sha256 <code title={artifact.sha256}>{artifact.sha256.slice(0, 12)}</code>
        </p>
        <p className="actions">
          <a href={contentUrl(artifact.id)} download>
            Download
          </a>
          {showLineageLink && <a href={href.lineage(artifact.type === 'Model' ? 'model' : 'artifact', artifact.id)}>Lineage</a>}
        </p>
      </header>
      {isModel && properties.length > 0 && <KeyValueTable rows={properties} caption="Model properties" />}
      <Body artifact={artifact} preview={preview} />
      {truncated && <p className="muted">Shortened: download it for the whole text.</p>}
      {!isModel && properties.length > 0 && (
        <details>
          <summary>Properties</summary>
          <KeyValueTable rows={properties} caption="Properties" />
        </details>
      )}
    </section>
  );
}

export function ArtifactPreview({ artifactId, showLineageLink = true }: { artifactId: string; showLineageLink?: boolean }): ReactElement {
  const [state, setState] = useState<{ artifact: Artifact; preview: Preview } | { error: string } | null>(null);
  useEffect(() => {
    let live = true;
    setState(null);
    api
      .previewArtifact({ params: { artifactId }, query: { rows: 20 } })
      .then((r) => live && setState(r))
      .catch((e: unknown) => live && setState({ error: e instanceof ApiError || e instanceof Error ? e.message : String(e) }));
    return () => {
      live = false;
    };
  }, [artifactId]);
  if (state === null) return <p className="muted" role="status">Loading the preview…</p>;
  if ('error' in state) return <p className="error-text" role="alert">Could not load artifact {artifactId}: {state.error}</p>;
  return <PreviewBody artifact={state.artifact} preview={state.preview} showLineageLink={showLineageLink} />;
}
