import { describe, expect, it } from 'vitest';
import { componentSignature } from './ports';

describe('a component signature in the palette (issue 12: with port names)', () => {
  it('names each input and output with its type, optional inputs marked', () => {
    expect(
      componentSignature(
        'train-classifier',
        { train: { kind: 'artifact', type: 'Dataset' }, epochs: { kind: 'parameter', type: 'int', default: 100 }, extra: { kind: 'artifact', type: 'Dataset', list: true, optional: true } },
        { model: { kind: 'artifact', type: 'Model' }, finalLoss: { kind: 'parameter', type: 'float' } },
      ),
    ).toBe('train-classifier(train: Dataset, epochs?: int, extra?: Dataset[]) → model: Model, finalLoss: float');
  });

  it('says so when a component has no ports on a side', () => {
    expect(componentSignature('load-iris', {}, { dataset: { kind: 'artifact', type: 'Dataset' } })).toBe('load-iris() → dataset: Dataset');
    expect(componentSignature('notify', { message: { kind: 'parameter', type: 'string' } }, {})).toBe('notify(message: string) → nothing');
  });
});
