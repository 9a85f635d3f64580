/** Triggers (webhooks, artifact sensors, completion triggers, notifications) as Temporal workflows. */
export { createTrigger, deleteTrigger, getTriggerDefinition, listTriggers, redact, TriggerError, triggerInputSchema } from './triggers';
export type { TriggerDeps, TriggerErrorCode, TriggerInput, TriggerView } from './triggers';
export { DELIVERY_HEADER, receiveWebhook, SIGNATURE_HEADER, signWebhook, TIMESTAMP_HEADER } from './webhook';
