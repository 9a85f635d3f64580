/**
 * The status line under the canvas: while a connection is dragged, whether it may be made and why
 * not (the same check as isValidConnection: connectionProblem over the IR); otherwise the last
 * notice (a refused drop, a save, …). Test hook: role="status", data-testid="connection-status".
 */
import { useConnection, type Handle } from '@xyflow/react';
import type { ReactElement, RefObject } from 'react';
import type { PipelineSpec } from 'sluice/ir';
import { connectionProblem, type PortConnection } from '../../edit/connect';

export interface Notice {
  kind: 'info' | 'error' | 'ok';
  text: string;
}

/** The IR connection a drag between two handles stands for (either end may be where it began). */
export function dragConnection(c: { fromHandle: Handle | null; toHandle: Handle | null }): PortConnection | undefined {
  const from = c.fromHandle;
  const to = c.toHandle;
  if (!from || !to || from.type === to.type) return undefined;
  const [out, inp] = from.type === 'source' ? [from, to] : [to, from];
  if (!out.id || !inp.id) return undefined;
  return { source: out.nodeId, sourcePort: out.id, target: inp.nodeId, targetPort: inp.id };
}

export function ConnectionStatus({ specRef, notice }: { specRef: RefObject<PipelineSpec>; notice: Notice | undefined }): ReactElement {
  // A flat object compared shallowly: the line re-renders only when the message changes, not on every pointer move.
  const live = useConnection((c): Notice | null => {
    if (!c.inProgress) return null;
    const pc = c.toHandle ? dragConnection(c) : undefined;
    if (!pc) {
      return c.toHandle && c.toHandle.type === c.fromHandle.type
        ? { kind: 'error', text: '✗ connect an output (right side) to an input (left side)' }
        : { kind: 'info', text: 'Drop on an input of a matching type' };
    }
    const why = connectionProblem(specRef.current, pc);
    return why === undefined ? { kind: 'info', text: `✓ ${pc.source}.${pc.sourcePort} → ${pc.target}.${pc.targetPort}` } : { kind: 'error', text: `✗ ${why}` };
  });
  const { kind, text } = live ?? notice ?? { kind: 'info', text: '' };
  return (
    <div className={`status-line status-${kind}`} role="status" aria-live="polite" data-testid="connection-status">
      {text}
    </div>
  );
}
