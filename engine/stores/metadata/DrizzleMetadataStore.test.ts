/** How the concerns are composed into one store: every method bound to its concern, no name twice. */
import { describe, expect, it } from 'vitest';
import { bindConcernMethods } from './DrizzleMetadataStore';
import { openMetadataStore } from './openMetadataStore';

class Counter {
  #count = 0;
  constructor(readonly label: string) {}
  increment(): number {
    return ++this.#count;
  }
}

class Named {
  increment(): number {
    return -1;
  }
}

describe('bindConcernMethods', () => {
  it('binds each method to its concern, so a method called on the store reaches its state', () => {
    const store: { increment?: () => number } = {};
    bindConcernMethods([['counter', new Counter('c')]], store);
    const increment = store.increment;
    expect(increment?.()).toBe(1);
    expect(store.increment?.()).toBe(2);
    expect(Object.keys(store)).toEqual(['increment']);
  });

  it('refuses two concerns with a method of the same name, naming both', () => {
    expect(() => bindConcernMethods([['counter', new Counter('c')], ['named', new Named()]], {})).toThrow(
      /"counter" and "named" both have a method increment/,
    );
  });
});

describe('createDrizzleMetadataStore', () => {
  it('gives one store with the methods of every concern, and close() twice closes once', async () => {
    const store = await openMetadataStore({ dataDir: 'memory://' });
    for (const method of ['registerPipelineVersion', 'recordSubmittedRun', 'startExecution', 'recordArtifact', 'lineage', 'recordMetric', 'appendTaskLogs', 'recordLoopItems', 'createExperiment', 'createApiToken', 'migrate', 'close'] as const) {
      expect(typeof store[method]).toBe('function');
    }
    expect(store.description).toBe('PGlite at memory://');
    await Promise.all([store.close(), store.close()]);
  });
});
