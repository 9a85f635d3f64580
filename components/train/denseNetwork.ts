/**
 * The network every built-in trainer fits: a Sequential stack of Dense layers. Kept to Dense layers
 * with relu/tanh/sigmoid hidden activations and a softmax or linear output, because that is what
 * `export-onnx` translates (MatMul + Add + activation per layer).
 */
import type { Sequential } from '@tensorflow/tfjs';
import type { Tf } from '../tfjsBackend';
import type { HiddenActivation } from './trainingParams';

export interface DenseNetworkSpec {
  /** Model name; fixed so two identical trainings give identical model files. */
  name: string;
  inputs: number;
  /** Units per hidden layer; empty for a linear model (logistic/softmax or linear regression). */
  hiddenLayers: readonly number[];
  activation: HiddenActivation;
  outputs: number;
  outputActivation: 'softmax' | 'linear';
  seed: number;
}

export function denseNetwork(tf: Tf, spec: DenseNetworkSpec): Sequential {
  const sizes = [...spec.hiddenLayers, spec.outputs];
  return tf.sequential({
    name: spec.name,
    layers: sizes.map((units, i) => {
      const last = i === sizes.length - 1;
      return tf.layers.dense({
        // Fixed names: tfjs would number them per process, and the content-addressed model file
        // would then differ between two identical trainings.
        name: last ? 'output' : `hidden_${i + 1}`,
        ...(i === 0 ? { inputShape: [spec.inputs] } : {}),
        units,
        activation: last ? spec.outputActivation : spec.activation,
        // A different seed per layer: equal seeds would give equal-looking random matrices.
        kernelInitializer: tf.initializers.glorotUniform({ seed: spec.seed + i }),
        biasInitializer: 'zeros',
      });
    }),
  });
}
