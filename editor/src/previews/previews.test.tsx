// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { Artifact, ArtifactPreview as Preview } from 'sluice/api';
import { PreviewBody } from './ArtifactPreview';
import { heatColour } from './ConfusionMatrix';
import { LineChart } from './LineChart';
import { ParallelCoordinates } from './ParallelCoordinates';
import { parallelPlot } from '../compare/compareView';
import { markdownToSafeHtml, sanitizeHtml } from './sanitize';

afterEach(cleanup);

const artifact = (type: string, name: string, properties: Artifact['properties'] = {}): Artifact => ({
  id: `r1.task.${name}`,
  type,
  name,
  uri: 'file:///x',
  sha256: 'abcdef0123456789',
  size: 2048,
  properties,
  createdAt: '2030-01-01T00:00:00Z',
});

describe('sanitising untrusted Markdown and HTML', () => {
  it('strips <script>, event handlers and javascript: URLs from HTML', () => {
    const html = sanitizeHtml('<p>ok</p><script>alert(1)</script><img src="x" onerror="alert(2)"><a href="javascript:alert(3)">x</a><iframe src="https://evil"></iframe>');
    expect(html).toContain('<p>ok</p>');
    expect(html).not.toMatch(/script|onerror|javascript:|iframe/i);
  });

  it('renders Markdown and strips HTML smuggled into it', () => {
    const html = markdownToSafeHtml('# Title\n\n**bold** [link](https://example.com)\n\n<img src=x onerror=alert(1)><script>alert(2)</script>');
    expect(html).toContain('<h1>Title</h1>');
    expect(html).toContain('<strong>bold</strong>');
    expect(html).toMatch(/<a href="https:\/\/example.com" target="_blank" rel="noopener noreferrer nofollow">/);
    expect(html).not.toMatch(/onerror|<script/i);
  });

  it('shows an HTML artifact without running anything in it', () => {
    const preview: Preview = { kind: 'text', mediaType: 'text/html', text: '<h2>Report</h2><img src="x" onerror="window.pwned = 1"><script>window.pwned = 2</script>', truncated: false };
    const { container } = render(<PreviewBody artifact={artifact('HTML', 'report.html')} preview={preview} />);
    expect(screen.getByRole('heading', { name: 'Report' })).toBeTruthy();
    expect(container.querySelector('script')).toBeNull();
    expect(container.querySelector('img')?.getAttribute('onerror')).toBeNull();
  });

  it('shows a whole page (run-notebook\'s nbconvert HTML) as its cells: no head, no styles, outputs and images kept', () => {
    const page =
      '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>iris.ipynb</title><style>body{color:red}</style></head><body>\n' +
      '<div class="cell code_cell"><div class="prompt input_prompt">In [3]:</div><pre>print(rows)</pre></div>' +
      '<div class="output_area"><pre>rows: 150</pre><img src="data:image/png;base64,iVBORw0KGgo=" alt="plot"></div>\n</body></html>\n';
    const preview: Preview = { kind: 'text', mediaType: 'text/html', text: page, truncated: false };
    const { container } = render(<PreviewBody artifact={artifact('HTML', 'html')} preview={preview} />);
    const doc = screen.getByRole('document', { name: 'html (HTML, sanitised)' });
    expect(within(doc).getByText('rows: 150')).toBeTruthy();
    expect(within(doc).getByText('In [3]:')).toBeTruthy();
    expect(doc.querySelector('img')?.getAttribute('src')).toMatch(/^data:image\/png;base64,/);
    expect(container.querySelector('style')).toBeNull();
    expect(doc.textContent).not.toContain('color:red');
    expect(doc.textContent).not.toContain('iris.ipynb');
  });
});

describe('artifact previews', () => {
  it('shows a dataset with its row count, schema and first rows', () => {
    const preview: Preview = {
      kind: 'table',
      format: 'dataset',
      columns: ['sepal_length', 'species'],
      columnTypes: ['number', 'string'],
      target: 'species',
      rows: [
        [5.1, 'setosa'],
        [7, 'versicolor'],
      ],
      totalRows: 150,
      truncated: true,
    };
    render(<PreviewBody artifact={artifact('Dataset', 'iris')} preview={preview} />);
    expect(screen.getByTestId('dataset-rowcount').textContent).toMatch(/150 rows · 2 columns · first 2 shown · target: species/);
    const schema = screen.getByRole('table', { name: 'Schema' });
    expect(within(schema).getByRole('rowheader', { name: 'species (target)' })).toBeTruthy();
    expect(within(schema).getAllByRole('cell').map((c) => c.textContent)).toEqual(['number', 'string']);
    const rows = screen.getByRole('table', { name: 'First rows' });
    expect(within(rows).getAllByRole('cell').map((c) => c.textContent)).toEqual(['5.1', 'setosa', '7', 'versicolor']);
  });

  it('shows ClassificationMetrics as scores, a confusion heatmap and ROC/PR charts', () => {
    const value = {
      accuracy: 0.9333,
      n: 30,
      perClass: [{ label: 'setosa', precision: 1, recall: 1, f1: 1, support: 10 }],
      macro: { precision: 0.93, recall: 0.93, f1: 0.93 },
      confusionMatrix: { labels: ['setosa', 'versicolor'], matrix: [[10, 0], [1, 9]] },
      roc: [{ label: 'setosa', auc: 1, points: [{ fpr: 0, tpr: 0 }, { fpr: 0, tpr: 1 }, { fpr: 1, tpr: 1 }] }],
      pr: [{ label: 'setosa', points: [{ recall: 0, precision: 1 }, { recall: 1, precision: 1 }] }],
    };
    render(<PreviewBody artifact={artifact('ClassificationMetrics', 'metrics')} preview={{ kind: 'json', value }} />);
    const matrix = screen.getByTestId('confusion-matrix');
    expect(within(matrix).getAllByRole('columnheader').map((h) => h.textContent)).toEqual(['actual \\ predicted', 'setosa', 'versicolor']);
    expect(within(matrix).getAllByRole('cell').map((c) => c.textContent)).toEqual(['10', '0', '1', '9']);
    expect(screen.getByRole('img', { name: /ROC curve/ })).toBeTruthy();
    expect(screen.getByRole('img', { name: 'Precision-recall curve' })).toBeTruthy();
    expect(screen.getByText('0.933')).toBeTruthy();
  });

  it('shows a model with its properties, a download link and a lineage link', () => {
    const model = artifact('Model', 'train.model', { framework: 'tensorflow.js', classes: ['a', 'b'] });
    render(<PreviewBody artifact={model} preview={{ kind: 'json', value: { weights: 'x'.repeat(500) } }} />);
    const props = screen.getByRole('table', { name: 'Model properties' });
    expect(within(props).getByRole('rowheader', { name: 'framework' })).toBeTruthy();
    expect(screen.getByRole('link', { name: 'Download' }).getAttribute('href')).toBe('/api/artifacts/r1.task.train.model/content');
    expect(screen.getByRole('link', { name: 'Lineage' }).getAttribute('href')).toBe('#/lineage/model/r1.task.train.model');
    // Long strings in a model file are shortened.
    expect(screen.getByText(/500 characters/)).toBeTruthy();
  });

  it('shows plain Metrics as a flat table and says why there is no preview', () => {
    render(<PreviewBody artifact={artifact('Metrics', 'm')} preview={{ kind: 'json', value: { loss: { final: 0.1 }, epochs: 3 } }} />);
    expect(within(screen.getByRole('table', { name: 'Metrics' })).getAllByRole('rowheader').map((h) => h.textContent)).toEqual(['loss.final', 'epochs']);
    cleanup();
    render(<PreviewBody artifact={artifact('Model', 'bin')} preview={{ kind: 'none', reason: 'binary content (5 bytes)' }} />);
    expect(screen.getByText(/No preview: binary content/)).toBeTruthy();
  });
});

describe('charts', () => {
  it('has a title, a description and the numbers as a table on demand', () => {
    render(<LineChart title="loss per step" series={[{ label: 'loss', points: [{ x: 1, y: 1 }, { x: 2, y: 0.5 }] }]} xLabel="step" yLabel="loss" />);
    expect(screen.getByRole('img', { name: 'loss per step' })).toBeTruthy();
    expect(screen.queryByRole('table')).toBeNull();
    const details = screen.getByText('Data table: loss per step').closest('details') as HTMLDetailsElement;
    details.open = true;
    fireEvent(details, new Event('toggle'));
    expect(within(screen.getByRole('table')).getAllByRole('cell').map((c) => c.textContent)).toEqual(['1', '1', '2', '0.500']);
  });

  it('keeps heatmap text readable on light and dark cells', () => {
    expect(heatColour(0).color).toBe('#1d2433');
    expect(heatColour(1)).toEqual({ background: 'rgb(16, 63, 138)', color: '#ffffff' });
  });
});

describe('ParallelCoordinates', () => {
  const plot = (): ReturnType<typeof parallelPlot> =>
    parallelPlot(
      [
        ['lr', [0.1, 0.3, 0.2]],
        ['slope', [undefined, 2, undefined]],
        ['loss', [0.5, 0.9, 1.1]],
      ],
      ['0', '1', '2'],
    );
  it('draws a line per row, faint ones (pruned trials) under the others, broken where a value is missing', () => {
    const { container } = render(
      <ParallelCoordinates plot={plot()} caption="lr → loss" label="3 trials" style={(id) => ({ colour: id === '2' ? 'grey' : 'blue', title: `#${id}`, faint: id === '2' })} />,
    );
    const groups = [...container.querySelectorAll('g[data-line]')];
    expect(groups.map((g) => [g.getAttribute('data-line'), g.getAttribute('data-faint')])).toEqual([
      ['2', 'true'],
      ['0', null],
      ['1', null],
    ]);
    // Trial 0 lacks slope: its line has no segment of two points, so nothing is drawn but its tooltip.
    expect(groups[1]?.querySelectorAll('polyline')).toHaveLength(0);
    expect(groups[2]?.querySelectorAll('polyline')).toHaveLength(1);
    expect(screen.getByRole('img', { name: '3 trials' })).toBeTruthy();
  });

  it('joins the neighbours of a missing value when told to skip gaps (a conditional parameter)', () => {
    const { container } = render(<ParallelCoordinates plot={plot()} gaps="skip" caption="c" label="l" style={(id) => ({ colour: id === '2' ? 'grey' : 'blue', title: id, faint: id === '2' })} />);
    const lines = [...container.querySelectorAll('g[data-line] polyline')];
    expect(lines.map((l) => l.getAttribute('points')?.split(' ').length)).toEqual([2, 2, 3]);
    expect(lines[0]?.getAttribute('stroke')).toBe('grey');
  });
});
