// @vitest-environment jsdom
import { cleanup, render, screen } from '@testing-library/react';
import { StrictMode, useEffect, useState, type ReactElement } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { IMPORT_KEY, useImportedIr } from './importedIr';

afterEach(cleanup);

/** Like the editor's loader: an effect (run twice under StrictMode) opens what the hook read. */
function Loader(): ReactElement {
  const imported = useImportedIr(true);
  const [opened, setOpened] = useState('nothing');
  useEffect(() => setOpened(imported ?? 'nothing'), [imported]);
  return <p data-testid="opened">{opened}</p>;
}

describe('useImportedIr', () => {
  it('opens the picked IR under StrictMode and clears it (regression: the second effect run found nothing)', () => {
    sessionStorage.setItem(IMPORT_KEY, '{"picked":true}');
    render(
      <StrictMode>
        <Loader />
      </StrictMode>,
    );
    expect(screen.getByTestId('opened').textContent).toBe('{"picked":true}');
    expect(sessionStorage.getItem(IMPORT_KEY)).toBeNull();
  });
});
