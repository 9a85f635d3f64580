/**
 * `validate-schema`: checks a Dataset against a Schema and reports every anomaly (missing or
 * unexpected columns, wrong types, missing values, values out of range, unknown categories). By
 * default any anomaly fails the task, so bad data stops a pipeline before training on it.
 */
import { writeFile } from 'node:fs/promises';
import { component, NonRetryableError, t, type InputArtifact } from 'sluice/dsl';
import { readDataset } from '../dataset';
import { anomalyReport, findAnomalies } from './anomalies';
import { readSchema } from './schema';

/** The dataset's origin for messages: the file a loader read it from (its `source`), else its path. */
function describeDataset(artifact: InputArtifact): string {
  const source = artifact.properties.source;
  return typeof source === 'string' ? source : artifact.path;
}

/** Data that breaks its schema; the message lists every anomaly. */
export class SchemaValidationError extends NonRetryableError {
  override readonly name: string = 'SchemaValidationError';
  override readonly code: string = 'schema-validation';
}

export const validateSchema = component({
  name: 'validate-schema',
  description: 'Checks a Dataset against a Schema: missing or unexpected columns, wrong types, missing values, out-of-range values, unknown categories.',
  category: 'validate',
  module: 'sluice/components',
  export: 'validateSchema',
  inputs: {
    dataset: t.Dataset(),
    schema: t.artifact('Schema')({ description: 'an infer-schema output (or a hand-written sluice.schema file)' }),
    failOnAnomalies: t.bool({ default: true, description: 'fail the task when there is any anomaly (else only report them)' }),
    allowExtraColumns: t.bool({ default: false, description: 'columns the schema does not list are not anomalies' }),
  },
  outputs: {
    report: t.Markdown({ description: 'the verdict and a table of anomalies' }),
    anomalies: t.artifact('Anomalies')({ description: 'JSON: { valid, anomalyCount, anomalies: [{ kind, column, message, rows? }] }' }),
    valid: t.bool(),
    anomalyCount: t.int(),
  },
  run: async (inputs, ctx) => {
    const origin = describeDataset(inputs.dataset);
    const ds = await readDataset(inputs.dataset.path);
    const schema = await readSchema(inputs.schema.path);
    const anomalies = findAnomalies(ds, schema, { allowExtraColumns: inputs.allowExtraColumns });
    const valid = anomalies.length === 0;

    ctx.metric('anomalies', anomalies.length);
    for (const a of anomalies) ctx.log(a.message, { kind: a.kind, column: a.column });
    if (!valid && inputs.failOnAnomalies) {
      throw new SchemaValidationError(
        `validate-schema: dataset ${origin} does not match the schema (${anomalies.length} anomal${anomalies.length === 1 ? 'y' : 'ies'}):\n` +
          anomalies.map((a) => `  - ${a.message}`).join('\n') +
          '\nFix the data, infer the schema again from data that is right, or set failOnAnomalies to false to report without failing.',
      );
    }

    await writeFile(ctx.outputs.report.path, anomalyReport(anomalies, { dataset: origin, schema: inputs.schema.path, rows: ds.rows.length }));
    await writeFile(ctx.outputs.anomalies.path, `${JSON.stringify({ valid, anomalyCount: anomalies.length, anomalies }, null, 2)}\n`);
    const kinds = [...new Set(anomalies.map((a) => a.kind))];
    ctx.outputs.report.properties = { valid, anomalyCount: anomalies.length, kinds };
    ctx.outputs.anomalies.properties = { valid, anomalyCount: anomalies.length, kinds };
    ctx.log(valid ? `dataset ${origin} matches the schema` : `dataset ${origin}: ${anomalies.length} anomalies (not failing: failOnAnomalies is false)`);
    return { valid, anomalyCount: anomalies.length };
  },
});
