/**
 * Undo/redo as a reducer over whole IR states. Edits share structure, so keeping a hundred states
 * costs little. Applying a state equal to the present (the same object, or a deep-equal copy) adds
 * no entry: a field that commits an unchanged value leaves undo history alone.
 */
import type { PipelineSpec } from 'sluice/ir';
import { equalJson } from './equalJson';

export interface History {
  past: PipelineSpec[];
  present: PipelineSpec;
  future: PipelineSpec[];
}

export type HistoryAction =
  | { type: 'apply'; spec: PipelineSpec }
  | { type: 'undo' }
  | { type: 'redo' };

export const HISTORY_LIMIT = 100;

export function initialHistory(spec: PipelineSpec): History {
  return { past: [], present: spec, future: [] };
}

export function historyReducer(state: History, action: HistoryAction): History {
  switch (action.type) {
    case 'apply':
      if (equalJson(action.spec, state.present)) return state;
      return { past: [...state.past, state.present].slice(-HISTORY_LIMIT), present: action.spec, future: [] };
    case 'undo': {
      const previous = state.past[state.past.length - 1];
      if (!previous) return state;
      return { past: state.past.slice(0, -1), present: previous, future: [state.present, ...state.future] };
    }
    case 'redo': {
      const [next, ...rest] = state.future;
      if (!next) return state;
      return { past: [...state.past, state.present], present: next, future: rest };
    }
  }
}
