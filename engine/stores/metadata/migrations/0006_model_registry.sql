CREATE TABLE "model_alias_events" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "model_alias_events_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"model" text NOT NULL,
	"alias" text NOT NULL,
	"from_version" integer,
	"to_version" integer,
	"actor" text NOT NULL,
	"note" text NOT NULL,
	"request_key" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "model_alias_events_request_unique" UNIQUE("model","alias","request_key"),
	CONSTRAINT "model_alias_events_note_check" CHECK (length("model_alias_events"."note") > 0)
);
--> statement-breakpoint
CREATE TABLE "model_aliases" (
	"model" text NOT NULL,
	"alias" text NOT NULL,
	"version" integer NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "model_aliases_pkey" PRIMARY KEY("model","alias")
);
--> statement-breakpoint
CREATE TABLE "model_versions" (
	"model" text NOT NULL,
	"version" integer NOT NULL,
	"artifact_id" text NOT NULL,
	"description" text,
	"tags" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_by" text NOT NULL,
	"source_execution_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "model_versions_pkey" PRIMARY KEY("model","version"),
	CONSTRAINT "model_versions_source_execution_unique" UNIQUE("model","source_execution_id"),
	CONSTRAINT "model_versions_version_check" CHECK ("model_versions"."version" >= 1)
);
--> statement-breakpoint
CREATE TABLE "registered_models" (
	"name" text PRIMARY KEY NOT NULL,
	"description" text,
	"tags" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "model_alias_events" ADD CONSTRAINT "model_alias_events_model_registered_models_name_fk" FOREIGN KEY ("model") REFERENCES "public"."registered_models"("name") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "model_aliases" ADD CONSTRAINT "model_aliases_version_fk" FOREIGN KEY ("model","version") REFERENCES "public"."model_versions"("model","version") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "model_versions" ADD CONSTRAINT "model_versions_model_registered_models_name_fk" FOREIGN KEY ("model") REFERENCES "public"."registered_models"("name") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "model_versions" ADD CONSTRAINT "model_versions_artifact_id_artifacts_id_fk" FOREIGN KEY ("artifact_id") REFERENCES "public"."artifacts"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "model_alias_events_model_idx" ON "model_alias_events" USING btree ("model","id");--> statement-breakpoint
CREATE INDEX "model_versions_artifact_idx" ON "model_versions" USING btree ("artifact_id");