/**
 * Server-sent events: the payload (`data:`, JSON) of each named event of the two live streams.
 * The server polls (the workflow's status query and the metadata store) and sends only what changed;
 * both streams send a `: heartbeat` comment every 15 s and a `warning` event when a poll fails.
 */
import { z } from 'zod';
import { executionSchema, logLineSchema, runListItemSchema, runSchema, taskStatusSchema } from './records';

const warningSchema = z.object({ message: z.string() }).meta({ id: 'StreamWarning', description: 'A poll failed; the stream goes on' });

/** `GET /api/runs/:runId/events`. */
export const runStreamEvents = {
  /** At the start and whenever the run record changes. */
  run: z.object({ run: runSchema }),
  /** A top-level task's state in the workflow's status query (pending → running → succeeded…, loop item counts, a gate waiting, a task waiting for a worker). */
  task: taskStatusSchema.extend({ task: z.string().meta({ description: 'The task id' }) }).meta({ id: 'TaskEvent' }),
  /** An execution row changed (every task path: loop items, nested tasks). */
  execution: z.object({ execution: executionSchema }),
  /** A new task log line. */
  log: logLineSchema,
  /** The run reached its final state; the server closes the stream. */
  end: z.object({ run: runSchema }),
  warning: warningSchema,
};

/** `GET /api/runs/events`. */
export const runListStreamEvents = {
  /** The newest runs (up to 200) matching the filter, when the stream opens. */
  snapshot: z.object({ runs: z.array(runListItemSchema) }),
  /** A run was created or changed (with `taskCounts=true`, also when its executions' statuses change). */
  run: z.object({ run: runListItemSchema }),
  warning: warningSchema,
};

export type EventMap = Readonly<Record<string, z.ZodType>>;
/** The payload of each event of a stream. */
export type EventData<E extends EventMap> = { [K in keyof E]: z.output<E[K]> };
export type TaskEvent = z.infer<(typeof runStreamEvents)['task']>;
