import type { ReactElement } from 'react';
export function EditorPage(props: { pipeline?: string | undefined; version?: number | undefined }): ReactElement {
  return <main className="page">Editor for {props.pipeline ?? 'a new pipeline'} (being built)</main>;
}
