/** A JSON value as the store keeps it (jsonb): params, outputs, properties, log fields. */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
