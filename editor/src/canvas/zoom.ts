import { useStore, type ReactFlowState } from '@xyflow/react';

/** Below this zoom, nodes draw only a labelled box: text would be unreadable and costs frames. */
export const SIMPLE_ZOOM = 0.5;
const isZoomedOut = (s: ReactFlowState): boolean => s.transform[2] < SIMPLE_ZOOM;

/** True when zoomed out; re-renders a node only when the threshold is crossed, not on every zoom step. */
export function useZoomedOut(): boolean {
  return useStore(isZoomedOut);
}
