/**
 * The run's tasks as a keyboard-friendly list beside the graph (`data-testid="task-list-<taskId>"`,
 * a button each). Rows are memoised on what they show: the page re-renders every second while the
 * run goes on, and only a running task's row changes then.
 */
import { memo, type ReactElement } from 'react';
import type { GraphNode } from '../../graph/pipelineGraph';
import { StateBadge } from '../../runview/RunNode';
import { taskDetail } from '../../runview/runGraph';
import { nodeView, type DisplayState, type RunViewState } from '../../runview/runState';

const TaskRow = memo(function TaskRow(props: { id: string; label: string; state: DisplayState; detail: string; current: boolean; onSelect: (taskId: string) => void }): ReactElement {
  const { id, label, state, detail, current, onSelect } = props;
  return (
    <li>
      <button type="button" data-testid={`task-list-${id}`} aria-current={current ? 'true' : undefined} onClick={() => onSelect(id)}>
        <StateBadge state={state} /> <span className="task-list-name">{label}</span> <span className="muted">{detail}</span>
      </button>
    </li>
  );
});

export function TaskList(props: { tasks: readonly GraphNode[]; state: RunViewState; selected: string | undefined; now: number; onSelect: (taskId: string) => void }): ReactElement {
  const { tasks, state, selected, now, onSelect } = props;
  return (
    <ul className="task-list">
      {tasks.map((t) => {
        const v = nodeView(state, t.id);
        return <TaskRow key={t.id} id={t.id} label={t.label} state={v.state} detail={taskDetail(v, now)} current={t.id === selected} onSelect={onSelect} />;
      })}
    </ul>
  );
}
