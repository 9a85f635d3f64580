import type { ReactElement } from 'react';
export function RunsPage(props: { query: URLSearchParams }): ReactElement {
  return <main className="page">Runs {props.query.toString()} (being built)</main>;
}
