DROP INDEX "experiment_runs_run_idx";--> statement-breakpoint
ALTER TABLE "experiments" ADD COLUMN "archived_at" timestamp with time zone;--> statement-breakpoint
-- Hand-written data migration: a run now belongs to at most one experiment. A run that was in
-- several keeps its oldest membership (the experiment it was put in first).
DELETE FROM "experiment_runs" er
WHERE EXISTS (
  SELECT 1 FROM "experiment_runs" older
  WHERE older."run_id" = er."run_id"
    AND (older."added_at", older."experiment_id") < (er."added_at", er."experiment_id")
);--> statement-breakpoint
ALTER TABLE "experiment_runs" ADD CONSTRAINT "experiment_runs_run_unique" UNIQUE("run_id");
