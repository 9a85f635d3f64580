/**
 * The one elkjs instance of the editor, loaded on first use. elkjs is most of the editor's code
 * (1.6 MB of 2.3 MB minified): a chunk of its own keeps it out of the first page load and under
 * Vite's chunk-size warning.
 */
import type { ELK } from 'elkjs/lib/elk.bundled.js';

let loading: Promise<ELK> | undefined;

export function loadElk(): Promise<ELK> {
  loading ??= import('elkjs/lib/elk.bundled.js').then((m) => new m.default());
  return loading;
}
