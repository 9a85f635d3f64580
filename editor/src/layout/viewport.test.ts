import { describe, expect, it } from 'vitest';
import { initialViewport, READABLE_VIEW, showBox } from './viewport';

const screen = { width: 1000, height: 600 };
/** The graph's box on screen at a viewport. */
const onScreen = (g: { x: number; y: number; width: number; height: number }, v: { x: number; y: number; zoom: number }) => ({
  left: g.x * v.zoom + v.x,
  top: g.y * v.zoom + v.y,
  right: (g.x + g.width) * v.zoom + v.x,
  bottom: (g.y + g.height) * v.zoom + v.y,
});

describe('where a pipeline graph opens (issue 12: readable, nothing cut off)', () => {
  it('shows a small graph whole and centred, no larger than the largest zoom', () => {
    const g = { x: 0, y: 0, width: 500, height: 200 };
    const v = initialViewport(g, screen);
    expect(v.zoom).toBe(READABLE_VIEW.maxZoom);
    const box = onScreen(g, v);
    expect(box.left).toBeCloseTo(screen.width - box.right);
    expect(box.top).toBeCloseTo(screen.height - box.bottom);
  });

  it('opens a long pipeline at a readable zoom from its start, its first node whole, the rest to pan to', () => {
    const g = { x: 40, y: 10, width: 6000, height: 400 };
    const v = initialViewport(g, screen);
    expect(v.zoom).toBe(READABLE_VIEW.minZoom);
    const box = onScreen(g, v);
    expect(box.left).toBeCloseTo(READABLE_VIEW.padding);
    // Height fits at this zoom: centred vertically, nothing above or below cut off.
    expect(box.top).toBeGreaterThanOrEqual(0);
    expect(box.bottom).toBeLessThanOrEqual(screen.height);
  });

  it('starts a tall and long graph at its top-left corner', () => {
    const g = { x: -100, y: -50, width: 5000, height: 3000 };
    const box = onScreen(g, initialViewport(g, screen));
    expect(box.left).toBeCloseTo(READABLE_VIEW.padding);
    expect(box.top).toBeCloseTo(READABLE_VIEW.padding);
  });

  it('fits a graph whole when the fit zoom is readable', () => {
    const g = { x: 0, y: 0, width: 1100, height: 500 };
    const v = initialViewport(g, screen);
    expect(v.zoom).toBeGreaterThanOrEqual(READABLE_VIEW.minZoom);
    const box = onScreen(g, v);
    expect(box.left).toBeGreaterThanOrEqual(0);
    expect(box.right).toBeLessThanOrEqual(screen.width);
  });
});

describe('a selected task comes into view (regression: the run view opened on a task it did not show)', () => {
  it('pans, at the same zoom, so that a box off screen is centred', () => {
    const v = { x: 24, y: -600, zoom: 1 };
    const task = { x: 900, y: 100, width: 200, height: 60 };
    const moved = showBox(v, screen, task);
    expect(moved).not.toBeNull();
    expect(moved!.zoom).toBe(1);
    const box = onScreen(task, moved!);
    expect(box.left).toBeGreaterThanOrEqual(0);
    expect(box.right).toBeLessThanOrEqual(screen.width);
    expect(box.top).toBeGreaterThanOrEqual(0);
    expect(box.bottom).toBeLessThanOrEqual(screen.height);
  });

  it('leaves the viewport alone when the box is already whole on screen', () => {
    expect(showBox({ x: 0, y: 0, zoom: 1 }, screen, { x: 100, y: 100, width: 200, height: 60 })).toBeNull();
  });
});
