/** `timeout.queue` (IR `timeout.queueMs`): the optional wait limit for a worker to take an attempt. */
import { describe, expect, it } from 'vitest';
import { component, compile, pipeline, t } from '../index';
import { formatMs } from './duration';
import { pipelineSpecSchema } from './schema';

const fit = component({ name: 'fit', outputs: { loss: t.float() }, resources: { gpu: 1 }, run: () => ({ loss: 0 }) });

describe('timeout.queue', () => {
  it('compiles to queueMs on the component and the task, and the schema accepts it', () => {
    const limited = component({ name: 'fit', outputs: { loss: t.float() }, resources: { gpu: 1 }, timeout: { queue: '5m' }, run: () => ({ loss: 0 }) });
    expect(limited.spec.timeout).toEqual({ queueMs: 300_000 });
    const p = pipeline({ name: 'gpu' }, (b) => {
      b.task(fit, {}, { id: 'fit', timeout: { queue: '30s' } });
    });
    const { spec } = compile(p);
    expect(spec.dag.tasks.fit).toMatchObject({ timeout: { queueMs: 30_000 } });
    expect(pipelineSpecSchema.safeParse(spec).success).toBe(true);
  });

  it('leaves the IR, hence the digest, of pipelines without it unchanged', () => {
    const build = () =>
      compile(
        pipeline({ name: 'gpu' }, (b) => {
          b.task(fit, {}, { id: 'fit' });
        }),
      );
    const { spec, digest } = build();
    expect(JSON.stringify(spec)).not.toContain('queueMs');
    expect(build().digest).toBe(digest);
  });

  it('is a positive number of milliseconds', () => {
    expect(() => component({ name: 'bad', timeout: { queue: 0 }, run: () => undefined })).toThrow(/timeout\.queue/);
  });
});

describe('formatMs', () => {
  it('writes durations the way the DSL reads them', () => {
    expect([formatMs(300_000), formatMs(90_000), formatMs(2000), formatMs(1500), formatMs(250), formatMs(3_600_000 + 60_000)]).toEqual([
      '5m',
      '1m30s',
      '2s',
      '1.5s',
      '250ms',
      '1h1m',
    ]);
  });
});
