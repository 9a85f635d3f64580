/**
 * Where a graph opens: the whole of it when that is readable, else at a readable zoom from its
 * start (the left, where a pipeline begins; the top when it is also tall), the rest a scroll or
 * drag away. React Flow's own fitView with a minZoom centres the graph, which cuts off both ends of
 * a long pipeline (and half nodes at the edges); this never does on the start side.
 */
export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface ViewportOptions {
  /** Space around the graph (px on screen). */
  padding: number;
  /** Below this zoom labels are unreadable: open here and let people pan. */
  minZoom: number;
  maxZoom: number;
}

export const READABLE_VIEW: ViewportOptions = { padding: 24, minZoom: 0.75, maxZoom: 1.2 };

export function initialViewport(graph: Box, screen: { width: number; height: number }, o: ViewportOptions = READABLE_VIEW): { x: number; y: number; zoom: number } {
  if (graph.width <= 0 || graph.height <= 0 || screen.width <= 0 || screen.height <= 0) return { x: o.padding, y: o.padding, zoom: 1 };
  const fit = Math.min((screen.width - 2 * o.padding) / graph.width, (screen.height - 2 * o.padding) / graph.height);
  const zoom = Math.min(o.maxZoom, Math.max(o.minZoom, fit));
  const along = (start: number, size: number, room: number): number =>
    size * zoom + 2 * o.padding <= room ? (room - size * zoom) / 2 - start * zoom : o.padding - start * zoom;
  return { x: along(graph.x, graph.width, screen.width), y: along(graph.y, graph.height, screen.height), zoom };
}

/**
 * The viewport, at the same zoom, that centres `box` when it is not whole on screen (with
 * `padding`); null when it already is. For a task selected by link or click: with
 * `onlyRenderVisibleElements` a task off screen is not even in the page.
 */
export function showBox(v: { x: number; y: number; zoom: number }, screen: { width: number; height: number }, box: Box, padding = READABLE_VIEW.padding): { x: number; y: number; zoom: number } | null {
  const left = box.x * v.zoom + v.x;
  const top = box.y * v.zoom + v.y;
  const right = (box.x + box.width) * v.zoom + v.x;
  const bottom = (box.y + box.height) * v.zoom + v.y;
  if (left >= padding && top >= padding && right <= screen.width - padding && bottom <= screen.height - padding) return null;
  return { x: screen.width / 2 - (box.x + box.width / 2) * v.zoom, y: screen.height / 2 - (box.y + box.height / 2) * v.zoom, zoom: v.zoom };
}
