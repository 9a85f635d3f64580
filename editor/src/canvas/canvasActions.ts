/**
 * What node components may ask the page to do (collapse a loop or a condition group). A context,
 * so node data stays plain and stable; the run view can leave it out (the toggles then hide).
 */
import { createContext, useContext } from 'react';

export interface CanvasActions {
  toggleLoop: (id: string) => void;
  toggleGroup: (scope: string | undefined, group: string) => void;
}

export const CanvasActionsContext = createContext<CanvasActions | null>(null);

export function useCanvasActions(): CanvasActions | null {
  return useContext(CanvasActionsContext);
}
