import type { ReactElement } from 'react';
export function RunPage(props: { runId: string; query: URLSearchParams }): ReactElement {
  return <main className="page">Run {props.runId} (being built)</main>;
}
