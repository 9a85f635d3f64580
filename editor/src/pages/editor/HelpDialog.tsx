/** The keyboard shortcuts ("?"). */
import type { ReactElement } from 'react';
import { Modal } from './Modal';

export const SHORTCUTS: [string, string][] = [
  ['Ctrl/⌘ + Z', 'Undo'],
  ['Ctrl/⌘ + Shift + Z, Ctrl + Y', 'Redo'],
  ['Ctrl/⌘ + C', 'Copy the selected nodes'],
  ['Ctrl/⌘ + V', 'Paste'],
  ['Delete, Backspace', 'Delete the selected nodes and edges'],
  ['Ctrl/⌘ + S', 'Save a new version'],
  ['Ctrl/⌘ + A', 'Select everything'],
  ['L', 'Arrange (auto-layout)'],
  ['Shift + drag', 'Select with a box'],
  ['Ctrl/⌘ + click', 'Add to the selection'],
  ['?', 'This help'],
  ['Esc', 'Close a dialog'],
];

export function HelpDialog({ onClose }: { onClose: () => void }): ReactElement {
  return (
    <Modal title="Keyboard shortcuts" onClose={onClose}>
      <table className="shortcuts">
        <tbody>
          {SHORTCUTS.map(([keys, what]) => (
            <tr key={keys}>
              <th scope="row">
                <kbd>{keys}</kbd>
              </th>
              <td>{what}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="muted">Drag from an output handle (right side of a task) to an input handle (left side). The line under the canvas says why a connection is refused.</p>
    </Modal>
  );
}
