/**
 * Inputs and checks shared by the TensorFlow.js trainers, with errors that name the component and
 * the value.
 */
import { NonRetryableError, t } from 'sluice/dsl';

export const HIDDEN_ACTIVATIONS = ['relu', 'tanh', 'sigmoid'] as const;
export type HiddenActivation = (typeof HIDDEN_ACTIVATIONS)[number];

export function requirePositive(component: string, name: string, value: number, integer: boolean): void {
  if (!Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) {
    throw new NonRetryableError(`${component}: ${name} must be a positive ${integer ? 'integer' : 'number'}; got ${value}`);
  }
}

export function requireSeed(component: string, seed: number): void {
  if (!Number.isInteger(seed)) throw new NonRetryableError(`${component}: seed must be an integer; got ${seed}`);
}

/**
 * The hidden layer sizes: `hiddenLayers` when given (an empty list means no hidden layer), else one
 * layer of `hiddenUnits`.
 */
export function hiddenLayerSizes(component: string, hiddenUnits: number, hiddenLayers: readonly number[] | undefined): number[] {
  if (hiddenLayers === undefined) {
    requirePositive(component, 'hiddenUnits', hiddenUnits, true);
    return [hiddenUnits];
  }
  hiddenLayers.forEach((units, i) => requirePositive(component, `hiddenLayers[${i}]`, units, true));
  return [...hiddenLayers];
}

export function hiddenActivation(component: string, activation: string): HiddenActivation {
  const found = HIDDEN_ACTIVATIONS.find((a) => a === activation);
  if (!found) throw new NonRetryableError(`${component}: activation must be one of ${HIDDEN_ACTIVATIONS.join(', ')}; got "${activation}"`);
  return found;
}

/**
 * The optimisation inputs every trainer declares (`epochs`, `learningRate`, `batchSize`, `seed`);
 * only the default learning rate differs between models.
 */
export function fitInputs(defaultLearningRate: number) {
  return {
    epochs: t.int({ default: 100 }),
    learningRate: t.float({ default: defaultLearningRate }),
    batchSize: t.int({ default: 16 }),
    seed: t.int({ default: 42, description: 'seeds weight initialisation and batch order' }),
  };
}

export interface FitParams {
  epochs: number;
  learningRate: number;
  batchSize: number;
  seed: number;
}

/** Checks the inputs of {@link fitInputs} and returns them. */
export function requireFitParams(component: string, inputs: FitParams): FitParams {
  const { epochs, learningRate, batchSize, seed } = inputs;
  requirePositive(component, 'epochs', epochs, true);
  requirePositive(component, 'learningRate', learningRate, false);
  requirePositive(component, 'batchSize', batchSize, true);
  requireSeed(component, seed);
  return { epochs, learningRate, batchSize, seed };
}
