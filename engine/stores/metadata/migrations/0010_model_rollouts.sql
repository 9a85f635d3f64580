CREATE TABLE "model_rollout_decisions" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "model_rollout_decisions_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"rollout_id" text NOT NULL,
	"step" integer NOT NULL,
	"weight" double precision NOT NULL,
	"action" text NOT NULL,
	"figures" jsonb NOT NULL,
	"reason" text NOT NULL,
	"request_key" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "model_rollout_decisions_request_unique" UNIQUE("rollout_id","request_key")
);
--> statement-breakpoint
CREATE TABLE "model_rollouts" (
	"id" text PRIMARY KEY NOT NULL,
	"model" text NOT NULL,
	"mode" text NOT NULL,
	"baseline_version" integer NOT NULL,
	"candidate_version" integer NOT NULL,
	"weight" double precision NOT NULL,
	"step" integer DEFAULT -1 NOT NULL,
	"state" text DEFAULT 'running' NOT NULL,
	"plan" jsonb NOT NULL,
	"reason" text,
	"workflow_id" text,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone,
	CONSTRAINT "model_rollouts_mode_check" CHECK ("model_rollouts"."mode" in ('canary', 'shadow', 'ab')),
	CONSTRAINT "model_rollouts_state_check" CHECK ("model_rollouts"."state" in ('running', 'promoted', 'rolled-back', 'aborted')),
	CONSTRAINT "model_rollouts_weight_check" CHECK ("model_rollouts"."weight" >= 0 and "model_rollouts"."weight" <= 100)
);
--> statement-breakpoint
ALTER TABLE "model_rollout_decisions" ADD CONSTRAINT "model_rollout_decisions_rollout_id_model_rollouts_id_fk" FOREIGN KEY ("rollout_id") REFERENCES "public"."model_rollouts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "model_rollouts" ADD CONSTRAINT "model_rollouts_model_registered_models_name_fk" FOREIGN KEY ("model") REFERENCES "public"."registered_models"("name") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "model_rollouts" ADD CONSTRAINT "model_rollouts_baseline_fk" FOREIGN KEY ("model","baseline_version") REFERENCES "public"."model_versions"("model","version") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "model_rollouts" ADD CONSTRAINT "model_rollouts_candidate_fk" FOREIGN KEY ("model","candidate_version") REFERENCES "public"."model_versions"("model","version") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "model_rollout_decisions_rollout_idx" ON "model_rollout_decisions" USING btree ("rollout_id","id");--> statement-breakpoint
CREATE UNIQUE INDEX "model_rollouts_one_running_idx" ON "model_rollouts" USING btree ("model") WHERE "model_rollouts"."state" = 'running';--> statement-breakpoint
CREATE INDEX "model_rollouts_model_idx" ON "model_rollouts" USING btree ("model","created_at");