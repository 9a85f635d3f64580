CREATE TABLE "loop_items" (
	"run_id" text NOT NULL,
	"loop" text NOT NULL,
	"idx" integer NOT NULL,
	"status" text NOT NULL,
	"outputs" jsonb NOT NULL,
	"error" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "loop_items_pkey" PRIMARY KEY("run_id","loop","idx"),
	CONSTRAINT "loop_items_status_check" CHECK ("loop_items"."status" in ('succeeded', 'failed', 'skipped', 'cancelled'))
);
--> statement-breakpoint
CREATE TABLE "task_logs" (
	"run_id" text NOT NULL,
	"execution_id" text NOT NULL,
	"seq" integer NOT NULL,
	"attempt" integer NOT NULL,
	"line" integer NOT NULL,
	"ts" timestamp with time zone NOT NULL,
	"stream" text NOT NULL,
	"level" text,
	"message" text NOT NULL,
	"fields" jsonb,
	CONSTRAINT "task_logs_pkey" PRIMARY KEY("execution_id","seq"),
	CONSTRAINT "task_logs_attempt_line_unique" UNIQUE("execution_id","attempt","line"),
	CONSTRAINT "task_logs_stream_check" CHECK ("task_logs"."stream" in ('log', 'stdout', 'stderr', 'system'))
);
--> statement-breakpoint
ALTER TABLE "executions" DROP CONSTRAINT "executions_status_check";--> statement-breakpoint
ALTER TABLE "loop_items" ADD CONSTRAINT "loop_items_run_id_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "task_logs" ADD CONSTRAINT "task_logs_run_id_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "task_logs" ADD CONSTRAINT "task_logs_execution_id_executions_id_fk" FOREIGN KEY ("execution_id") REFERENCES "public"."executions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "task_logs_run_ts_idx" ON "task_logs" USING btree ("run_id","ts");--> statement-breakpoint
ALTER TABLE "executions" ADD CONSTRAINT "executions_status_check" CHECK ("executions"."status" in ('running', 'waiting', 'succeeded', 'failed', 'cancelled', 'cached', 'skipped'));