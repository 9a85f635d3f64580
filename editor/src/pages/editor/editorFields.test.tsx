// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { useState, type ReactElement } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { emptyPipeline } from '../../edit';
import { Modal } from './Modal';
import { RunDialog } from './RunDialog';
import { TextCommitField } from './TextCommitField';

afterEach(cleanup);

describe('TextCommitField', () => {
  it('stays mounted and focused across a commit, and follows a value changed elsewhere (regression: keyed by value)', () => {
    function Host(): ReactElement {
      const [value, setValue] = useState('iris');
      return (
        <>
          <TextCommitField
            label="Pipeline name"
            value={value}
            onCommit={(t) => {
              setValue(t);
              return undefined;
            }}
          />
          <button type="button" onClick={() => setValue('undone')}>
            Undo
          </button>
        </>
      );
    }
    render(<Host />);
    const field = screen.getByLabelText<HTMLInputElement>('Pipeline name');
    field.focus();
    fireEvent.change(field, { target: { value: 'iris-2' } });
    fireEvent.keyDown(field, { key: 'Enter' });
    expect(screen.getByLabelText('Pipeline name')).toBe(field);
    expect(document.activeElement).toBe(field);
    fireEvent.click(screen.getByRole('button', { name: 'Undo' }));
    expect(field.value).toBe('undone');
  });
});

describe('Modal', () => {
  it('keeps Tab inside the dialog and gives focus back to the opener on close', () => {
    function Host(): ReactElement {
      const [open, setOpen] = useState(false);
      return (
        <>
          <button type="button" onClick={() => setOpen(true)}>
            Open
          </button>
          {open ? (
            <Modal title="Run" onClose={() => setOpen(false)}>
              <input aria-label="first" />
              <button type="button">Start run</button>
            </Modal>
          ) : null}
        </>
      );
    }
    render(<Host />);
    const opener = screen.getByRole('button', { name: 'Open' });
    opener.focus();
    fireEvent.click(opener);
    const first = screen.getByLabelText('first');
    const close = screen.getByRole('button', { name: 'Close' });
    const last = screen.getByRole('button', { name: 'Start run' });
    expect(document.activeElement).toBe(first);
    last.focus();
    fireEvent.keyDown(last, { key: 'Tab' });
    expect(document.activeElement).toBe(close);
    fireEvent.keyDown(close, { key: 'Tab', shiftKey: true });
    expect(document.activeElement).toBe(last);
    fireEvent.keyDown(last, { key: 'Escape' });
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(document.activeElement).toBe(opener);
  });
});

describe('RunDialog', () => {
  const spec = emptyPipeline();
  it('is disabled in advance for a draft, with the reason, and never calls the server (issue 18)', () => {
    let started = 0;
    render(<RunDialog spec={spec} needsSave={false} blocked="Version 2 is a draft: it cannot run." onClose={() => undefined} onStart={async () => void started++} />);
    const start = screen.getByRole<HTMLButtonElement>('button', { name: 'Start run' });
    expect(start.disabled).toBe(true);
    expect(screen.getByRole('alert').textContent).toBe('Version 2 is a draft: it cannot run.');
    expect(start.getAttribute('aria-describedby')).toBe('run-blocked');
    fireEvent.submit(screen.getByRole('form', { name: `Run ${spec.name}` }));
    expect(started).toBe(0);
  });

  it('starts a runnable version', () => {
    let started = 0;
    render(<RunDialog spec={spec} needsSave={false} onClose={() => undefined} onStart={async () => void started++} />);
    const start = screen.getByRole<HTMLButtonElement>('button', { name: 'Start run' });
    expect(start.disabled).toBe(false);
    fireEvent.click(start);
    expect(started).toBe(1);
  });
});
