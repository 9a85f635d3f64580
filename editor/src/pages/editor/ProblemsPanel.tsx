/**
 * Problems: every issue validatePipeline finds (and the server's 422 field errors after a failed
 * save). A click on an issue that names a task selects and centres that task.
 */
import { memo, type ReactElement } from 'react';
import type { ValidationIssue } from 'sluice/ir';
import type { FieldError } from '../../api/client';

function ProblemsPanelView({ issues, server, onFocus }: { issues: ValidationIssue[]; server: FieldError[]; onFocus: (task: string) => void }): ReactElement {
  if (issues.length === 0 && server.length === 0) return <p className="ok-text">No problems: the pipeline is valid.</p>;
  return (
    <div className="problems">
      {server.length ? (
        <>
          <h4>From the server</h4>
          <ul className="problem-list">
            {server.map((e, i) => (
              <li key={`s${i}`}>
                <code>{e.path}</code> {e.message}
                {e.hint ? <span className="muted"> — {e.hint}</span> : null}
              </li>
            ))}
          </ul>
        </>
      ) : null}
      <ul className="problem-list" aria-label="Validation problems">
        {issues.map((issue, i) => {
          const where = [issue.task !== undefined ? `task ${issue.task}` : undefined, issue.port !== undefined ? `port ${issue.port}` : undefined].filter(Boolean).join(', ');
          const body = (
            <>
              <span className="problem-code">{issue.code}</span> {where ? <strong>{where}: </strong> : null}
              {issue.message}
              <span className="muted"> — {issue.hint}</span>
            </>
          );
          const task = issue.task;
          return (
            <li key={i}>
              {task !== undefined ? (
                <button type="button" className="problem-button" onClick={() => onFocus(task)} aria-label={`Show task ${task}: ${issue.message}`}>
                  {body}
                </button>
              ) : (
                body
              )}
            </li>
          );
        })}
      </ul>
    </div>
  );
}

export const ProblemsPanel = memo(ProblemsPanelView);
