// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import type { ReactElement } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { GraphNode } from '../../graph/pipelineGraph';
import type { Execution } from 'sluice/api';
import { emptyRunView, reduceRun, type DisplayState, type RunViewState } from '../../runview/runState';
import { executionRecord, taskNode } from '../../runview/testRecords';
import { TaskList } from './TaskList';

// Counts the rows that render: a memoised row that did not change renders no badge.
const badges = vi.hoisted(() => ({ rendered: [] as string[] }));
vi.mock('../../runview/RunNode', () => ({
  StateBadge: ({ state }: { state: DisplayState }): ReactElement => {
    badges.rendered.push(state);
    return <span>{state}</span>;
  },
}));

const task = (id: string): GraphNode => taskNode(id);
const execution = (taskId: string, status: Execution['status']): Execution => executionRecord(taskId, status);
const T0 = Date.parse('2030-01-01T00:00:05.000Z');

afterEach(cleanup);

describe('the run page task list', () => {
  it('re-renders only the rows whose state or duration changed', () => {
    const tasks = [task('split'), task('train'), task('report')];
    const state: RunViewState = [execution('split', 'succeeded'), execution('train', 'running')].reduce<RunViewState>((s, e) => reduceRun(s, { type: 'execution', execution: e }), emptyRunView());
    const onSelect = vi.fn();
    const view = render(<TaskList tasks={tasks} state={state} selected="train" now={T0} onSelect={onSelect} />);
    expect(badges.rendered).toEqual(['succeeded', 'running', 'queued']);
    expect(screen.getByTestId('task-list-train').getAttribute('aria-current')).toBe('true');
    expect(screen.getByTestId('task-list-train').textContent).toContain('3.0 s');

    badges.rendered = [];
    view.rerender(<TaskList tasks={tasks} state={state} selected="train" now={T0 + 1000} onSelect={onSelect} />);
    expect(badges.rendered).toEqual(['running']);
    expect(screen.getByTestId('task-list-train').textContent).toContain('4.0 s');

    badges.rendered = [];
    const next = reduceRun(state, { type: 'execution', execution: execution('report', 'running') });
    view.rerender(<TaskList tasks={tasks} state={next} selected="train" now={T0 + 1000} onSelect={onSelect} />);
    expect(badges.rendered).toEqual(['running']);

    fireEvent.click(screen.getByTestId('task-list-split'));
    expect(onSelect).toHaveBeenCalledWith('split');
  });
});
