import type { ReactElement } from 'react';
export function PipelinesPage(): ReactElement {
  return <main className="page">Pipelines (being built)</main>;
}
