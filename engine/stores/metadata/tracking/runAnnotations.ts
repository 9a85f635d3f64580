/** What a run carries besides its record: tags, the free-text note, its experiment. One reading for the API and the CLI. */
import type { MetadataStore } from '../MetadataStore';
import { NOTE_TAG } from './TrackingStore';

export interface RunAnnotationsView {
  /** Tags, the note apart. */
  tags: Record<string, string>;
  note: string | null;
  experiment: { id: string; name: string } | null;
}

export async function readRunAnnotations(metadata: MetadataStore, runId: string): Promise<RunAnnotationsView> {
  const [tagMap, memberships] = await Promise.all([metadata.listTags([runId]), metadata.experimentsOf([runId])]);
  const tags = tagMap.get(runId) ?? [];
  const experimentId = memberships.get(runId)?.[0];
  const experiment = experimentId !== undefined ? await metadata.getExperiment(experimentId) : undefined;
  return {
    tags: Object.fromEntries(tags.filter((t) => t.key !== NOTE_TAG).map((t) => [t.key, t.value])),
    note: tags.find((t) => t.key === NOTE_TAG)?.value ?? null,
    experiment: experiment ? { id: experiment.id, name: experiment.name } : null,
  };
}
