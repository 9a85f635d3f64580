CREATE TABLE "tune_trials" (
	"run_id" text NOT NULL,
	"study" text NOT NULL,
	"number" integer NOT NULL,
	"state" text NOT NULL,
	"params" jsonb NOT NULL,
	"value" double precision,
	"pruned_step" integer,
	"reason" text,
	"execution_id" text NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"finished_at" timestamp with time zone,
	CONSTRAINT "tune_trials_pkey" PRIMARY KEY("run_id","study","number"),
	CONSTRAINT "tune_trials_state_check" CHECK ("tune_trials"."state" in ('running', 'succeeded', 'failed', 'pruned', 'cancelled'))
);
--> statement-breakpoint
ALTER TABLE "tune_trials" ADD CONSTRAINT "tune_trials_run_id_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."runs"("id") ON DELETE cascade ON UPDATE no action;