/** LoopItemStore over drizzle: `loop_items`. */
import { and, asc, eq, sql } from 'drizzle-orm';
import { refusingMissingReferences } from '../database';
import type { MetadataDatabase } from '../database';
import { loopItems } from '../schema';
import type { LoopItemInput, LoopItemRecord, LoopItemStatus, LoopItemStore } from './LoopItemStore';

/** Rows per INSERT of loop items: far below the protocol's 65,535 parameters. */
const LOOP_ITEM_CHUNK = 1000;

export class DrizzleLoopItemStore implements LoopItemStore {
  constructor(private readonly db: MetadataDatabase) {}

  async recordLoopItems(runId: string, loop: string, items: LoopItemInput[]): Promise<void> {
    // One row per index (the last one wins): ON CONFLICT cannot update a row twice in one statement.
    const byIndex = new Map<number, LoopItemInput>();
    for (const item of items) byIndex.set(item.index, item);
    const rows = [...byIndex.values()].map((item) => ({
      runId,
      loop,
      idx: item.index,
      status: item.status,
      outputs: item.outputs,
      error: item.error ?? null,
    }));
    if (rows.length === 0) return;
    // All chunks or none: a failed chunk leaves no earlier chunk recorded without the rest.
    await refusingMissingReferences(
      () => `cannot record items of loop "${loop}": no run ${runId}`,
      () =>
        this.db.transaction(async (tx) => {
          for (let start = 0; start < rows.length; start += LOOP_ITEM_CHUNK) {
            await tx
              .insert(loopItems)
              .values(rows.slice(start, start + LOOP_ITEM_CHUNK))
              .onConflictDoUpdate({
                target: [loopItems.runId, loopItems.loop, loopItems.idx],
                set: {
                  status: sql`excluded.status`,
                  outputs: sql`excluded.outputs`,
                  error: sql`excluded.error`,
                  updatedAt: sql`now()`,
                },
              });
          }
        }),
    );
  }

  async listLoopItems(runId: string, loop: string, options: { status?: LoopItemStatus } = {}): Promise<LoopItemRecord[]> {
    const conditions = [eq(loopItems.runId, runId), eq(loopItems.loop, loop)];
    if (options.status !== undefined) conditions.push(eq(loopItems.status, options.status));
    return this.db
      .select({
        index: loopItems.idx,
        status: loopItems.status,
        outputs: loopItems.outputs,
        error: loopItems.error,
        updatedAt: loopItems.updatedAt,
      })
      .from(loopItems)
      .where(and(...conditions))
      .orderBy(asc(loopItems.idx));
  }
}
