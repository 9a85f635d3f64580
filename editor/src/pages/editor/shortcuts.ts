/**
 * The editor's keyboard shortcuts as a pure decision: which action a key press means, given where
 * focus is. Plain keys (Delete, Backspace, L, ?) and Ctrl+A/Ctrl+C act only when focus is on the
 * canvas or nowhere in particular (the page body), so they never hijack a focused button, tab or
 * field; Ctrl+C copies nodes only when some are selected and no text is, else the browser copies text.
 * Ctrl+S saves from anywhere but a dialog, form fields included (the browser's "save page" is never
 * what is meant); the caller commits the focused field first.
 */
export type ShortcutAction = 'undo' | 'redo' | 'copy' | 'paste' | 'save' | 'selectAll' | 'deleteSelection' | 'arrange' | 'help';

export interface KeyPress {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  shiftKey: boolean;
  altKey: boolean;
  target: EventTarget | null;
}

export interface ShortcutContext {
  nodesSelected: boolean;
  textSelected: boolean;
}

/** Text fields and dialogs keep every key to themselves. */
export const isEditable = (t: EventTarget | null): boolean =>
  t instanceof HTMLElement && (t.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(t.tagName) || t.closest('[role="dialog"]') !== null);

/** Focus on the canvas (React Flow's pane, a node, an edge) or on no control at all. */
export const onCanvasOrBody = (t: EventTarget | null): boolean =>
  t === null || (typeof document !== 'undefined' && (t === document.body || t === document.documentElement)) || (t instanceof Element && t.closest('.react-flow') !== null);

const inDialog = (t: EventTarget | null): boolean => t instanceof Element && t.closest('[role="dialog"]') !== null;

export function shortcutFor(e: KeyPress, ctx: ShortcutContext): ShortcutAction | undefined {
  const mod = e.ctrlKey || e.metaKey;
  const k = e.key.toLowerCase();
  if (mod && k === 's' && !e.altKey) return inDialog(e.target) ? undefined : 'save';
  if (isEditable(e.target)) return undefined;
  if (mod && k === 'z') return e.shiftKey ? 'redo' : 'undo';
  if (mod && k === 'y') return 'redo';
  if (mod && k === 'v') return 'paste';
  if (!onCanvasOrBody(e.target)) return undefined;
  if (mod && k === 'c') return ctx.nodesSelected && !ctx.textSelected ? 'copy' : undefined;
  if (mod && k === 'a') return 'selectAll';
  if (mod || e.altKey) return undefined;
  if (e.key === 'Delete' || e.key === 'Backspace') return 'deleteSelection';
  if (k === 'l') return 'arrange';
  if (e.key === '?') return 'help';
  return undefined;
}
