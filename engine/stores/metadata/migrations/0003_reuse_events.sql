ALTER TABLE "events" DROP CONSTRAINT "events_kind_check";--> statement-breakpoint
CREATE INDEX "executions_cached_from_idx" ON "executions" USING btree ("cached_from");--> statement-breakpoint
ALTER TABLE "events" ADD CONSTRAINT "events_kind_check" CHECK ("events"."kind" in ('input', 'output', 'reused'));--> statement-breakpoint
-- Hand-written data migration: before this, a cached execution recorded output events to the
-- artifacts it reused, so an artifact had one producer per run that reused it. Those events become
-- the reuse relation; the execution that really wrote each artifact stays its one producer.
UPDATE "events" SET "kind" = 'reused'
WHERE "kind" = 'output'
  AND "execution_id" IN (SELECT "id" FROM "executions" WHERE "status" = 'cached' OR "cached_from" IS NOT NULL);
