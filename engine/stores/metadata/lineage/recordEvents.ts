/** Writing events, apart from the lineage queries so that the executions concern can write them on its transactions (no import cycle). */
import type { MetadataDatabase } from '../database';
import { events } from '../schema';
import type { EventRecord } from './LineageStore';

/** Inserts events in one statement; one already stored changes nothing (re-delivered attempts). */
export async function recordEventsIn(db: MetadataDatabase, list: readonly EventRecord[]): Promise<void> {
  if (list.length === 0) return;
  await db
    .insert(events)
    .values(list.map((e) => ({ executionId: e.executionId, artifactId: e.artifactId, kind: e.kind, port: e.port })))
    .onConflictDoNothing({ target: [events.executionId, events.artifactId, events.kind, events.port] });
}
