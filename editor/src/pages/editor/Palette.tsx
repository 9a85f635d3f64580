/**
 * The component palette: the server's catalog by category, searchable. Items drag onto the canvas
 * (HTML5 drag and drop, the component name in DRAG_TYPE) or are added with their "Add" button.
 */
import { memo, useMemo, useState, type ReactElement } from 'react';
import { componentSignature, portTypeLabel } from '../../edit/ports';
import type { PaletteComponent } from './editorApi';

export const DRAG_TYPE = 'application/x-sluice-component';

const portList = (ports: PaletteComponent['inputs']): string =>
  Object.entries(ports)
    .map(([n, p]) => `${n}: ${portTypeLabel(p)}`)
    .join(', ') || 'none';

function PaletteView({ components, error, onAdd }: { components: PaletteComponent[] | undefined; error?: string | undefined; onAdd: (c: PaletteComponent) => void }): ReactElement {
  const [query, setQuery] = useState('');
  const groups = useMemo(() => {
    const q = query.trim().toLowerCase();
    const byCategory = new Map<string, PaletteComponent[]>();
    for (const c of components ?? []) {
      const hay = `${c.name} ${c.description ?? ''} ${c.category} ${Object.keys(c.inputs).join(' ')} ${Object.keys(c.outputs).join(' ')}`.toLowerCase();
      if (q && !hay.includes(q)) continue;
      byCategory.set(c.category, [...(byCategory.get(c.category) ?? []), c]);
    }
    return [...byCategory].sort(([a], [b]) => a.localeCompare(b));
  }, [components, query]);

  return (
    <aside className="palette" aria-label="Component palette">
      <h2>Components</h2>
      <input type="search" aria-label="Search components" placeholder="Search components" value={query} onChange={(e) => setQuery(e.target.value)} />
      {error ? (
        <p className="error-text" role="alert">
          {error}
        </p>
      ) : null}
      {components === undefined && !error ? <p className="muted">Loading the catalog…</p> : null}
      {components !== undefined && groups.length === 0 ? <p className="muted">No component matches “{query}”.</p> : null}
      {groups.map(([category, items]) => (
        <section key={category} className="palette__group" aria-label={`Category ${category}`}>
          <h3>{category}</h3>
          <ul>
            {items.map((c) => (
              <li
                key={`${c.name}@${c.version}`}
                className="palette-item"
                draggable
                data-testid={`palette-item-${c.name}`}
                title={`Drag onto the canvas, or press Add.\nInputs: ${portList(c.inputs)}\nOutputs: ${portList(c.outputs)}`}
                onDragStart={(e) => {
                  e.dataTransfer.setData(DRAG_TYPE, `${c.name}@${c.version}`);
                  e.dataTransfer.setData('text/plain', c.name);
                  e.dataTransfer.effectAllowed = 'copy';
                }}
              >
                <div className="palette-item__head">
                  <span className="palette-item__name">{c.name}</span>
                  <button type="button" className="small" aria-label={`Add ${c.name}`} onClick={() => onAdd(c)}>
                    Add
                  </button>
                </div>
                {c.description ? <p className="palette-item__desc">{c.description}</p> : null}
                <p className="palette-item__ports" data-testid={`palette-signature-${c.name}`}>
                  <code>{componentSignature(c.name, c.inputs, c.outputs)}</code>
                </p>
              </li>
            ))}
          </ul>
        </section>
      ))}
    </aside>
  );
}

export const Palette = memo(PaletteView);
