/** An IR picked on the pipelines page travels to #/new through sessionStorage. */
import { useEffect, useState } from 'react';

/** sessionStorage key: an IR picked on the pipelines page, opened by #/new. */
export const IMPORT_KEY = 'sluice.editor.import';

/**
 * The picked IR text (null when none), read once per mount in a state initialiser and removed
 * afterwards in an effect: StrictMode's second effect run (and second initialiser call) still see it.
 */
export function useImportedIr(enabled: boolean): string | null {
  const [text] = useState(() => (enabled ? sessionStorage.getItem(IMPORT_KEY) : null));
  useEffect(() => {
    if (text !== null) sessionStorage.removeItem(IMPORT_KEY);
  }, [text]);
  return text;
}
