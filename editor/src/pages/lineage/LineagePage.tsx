import type { ReactElement } from 'react';
export function LineagePage(props: { kind: 'artifact' | 'run' | 'model'; id: string; query: URLSearchParams }): ReactElement {
  return <main className="page">Lineage of {props.kind} {props.id} (being built)</main>;
}
