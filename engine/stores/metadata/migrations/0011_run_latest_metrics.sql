CREATE TABLE "run_latest_metrics" (
	"run_id" text NOT NULL,
	"key" text NOT NULL,
	"value" double precision NOT NULL,
	"step" integer NOT NULL,
	CONSTRAINT "run_latest_metrics_pkey" PRIMARY KEY("run_id","key")
);
--> statement-breakpoint
DROP INDEX "runs_created_idx";--> statement-breakpoint
ALTER TABLE "run_latest_metrics" ADD CONSTRAINT "run_latest_metrics_run_id_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "run_latest_metrics_key_value_idx" ON "run_latest_metrics" USING btree ("key","value","run_id");--> statement-breakpoint
CREATE INDEX "runs_created_seq_idx" ON "runs" USING btree ("created_at" DESC NULLS FIRST,"seq" DESC NULLS FIRST);--> statement-breakpoint
-- Hand-written below (drizzle-kit does not generate triggers): every write to `metrics` keeps the
-- run's latest value per key, whichever writer (activities, MLflow REST, tracking) made it.
CREATE FUNCTION "run_latest_metrics_upsert"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO "run_latest_metrics" ("run_id", "key", "value", "step")
	VALUES (NEW."run_id", NEW."key", NEW."value", NEW."step")
	ON CONFLICT ("run_id", "key") DO UPDATE SET "value" = EXCLUDED."value", "step" = EXCLUDED."step"
	WHERE EXCLUDED."step" >= "run_latest_metrics"."step";
	RETURN NULL;
END;
$$;--> statement-breakpoint
CREATE TRIGGER "metrics_run_latest" AFTER INSERT OR UPDATE ON "metrics" FOR EACH ROW EXECUTE FUNCTION "run_latest_metrics_upsert"();--> statement-breakpoint
INSERT INTO "run_latest_metrics" ("run_id", "key", "value", "step")
SELECT DISTINCT ON ("run_id", "key") "run_id", "key", "value", "step" FROM "metrics" ORDER BY "run_id", "key", "step" DESC, "created_at" DESC;
