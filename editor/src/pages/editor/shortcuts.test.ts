// @vitest-environment jsdom
import { afterEach, describe, expect, it } from 'vitest';
import { shortcutFor, type KeyPress } from './shortcuts';

afterEach(() => {
  document.body.innerHTML = '';
});

const press = (key: string, target: EventTarget | null, mods: Partial<KeyPress> = {}): KeyPress => ({ key, ctrlKey: false, metaKey: false, shiftKey: false, altKey: false, target, ...mods });
const selected = { nodesSelected: true, textSelected: false };

function element(html: string, selector: string): HTMLElement {
  document.body.innerHTML = html;
  const el = document.querySelector<HTMLElement>(selector);
  if (!el) throw new Error(selector);
  return el;
}

describe('editor shortcuts', () => {
  it('handles plain keys on the canvas and the page body', () => {
    const node = element('<div class="react-flow"><div class="react-flow__node" tabindex="0"></div></div>', '.react-flow__node');
    expect(shortcutFor(press('Delete', node), selected)).toBe('deleteSelection');
    expect(shortcutFor(press('Backspace', document.body), selected)).toBe('deleteSelection');
    expect(shortcutFor(press('l', document.body), selected)).toBe('arrange');
    expect(shortcutFor(press('?', node), selected)).toBe('help');
  });

  it('leaves plain keys to focused buttons and tabs (regression: Delete on a tab deleted nodes)', () => {
    const tab = element('<div role="tablist"><button role="tab">Task</button></div>', 'button');
    for (const key of ['Delete', 'Backspace', 'l', '?']) expect(shortcutFor(press(key, tab), selected)).toBeUndefined();
    expect(shortcutFor(press('a', tab, { ctrlKey: true }), selected)).toBeUndefined();
    // Undo and save work wherever focus is (outside fields and dialogs).
    expect(shortcutFor(press('z', tab, { ctrlKey: true }), selected)).toBe('undo');
    expect(shortcutFor(press('s', tab, { metaKey: true }), selected)).toBe('save');
  });

  it('takes Ctrl+C only with nodes selected and no text selected (regression: it blocked copying text)', () => {
    expect(shortcutFor(press('c', document.body, { ctrlKey: true }), selected)).toBe('copy');
    expect(shortcutFor(press('c', document.body, { ctrlKey: true }), { nodesSelected: false, textSelected: false })).toBeUndefined();
    expect(shortcutFor(press('c', document.body, { ctrlKey: true }), { nodesSelected: true, textSelected: true })).toBeUndefined();
  });

  it('never fires inside fields or dialogs, except Ctrl+S in a field', () => {
    const input = element('<input />', 'input');
    expect(shortcutFor(press('Delete', input), selected)).toBeUndefined();
    expect(shortcutFor(press('z', input, { ctrlKey: true }), selected)).toBeUndefined();
    expect(shortcutFor(press('s', input, { ctrlKey: true }), selected)).toBe('save');
    expect(shortcutFor(press('s', element('<textarea></textarea>', 'textarea'), { metaKey: true }), selected)).toBe('save');
    const inDialog = element('<div role="dialog"><button>OK</button></div>', 'button');
    expect(shortcutFor(press('?', inDialog), selected)).toBeUndefined();
    expect(shortcutFor(press('s', element('<div role="dialog"><input /></div>', 'input'), { ctrlKey: true }), selected)).toBeUndefined();
  });
});
