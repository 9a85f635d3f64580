"""BentoML serving the same ONNX model for bench/serving.ts, with its adaptive batching on (the
documented `batchable` API: max batch 64 rows, as Sluice's default)."""
import os

import bentoml
import numpy as np
import onnxruntime as ort


@bentoml.service(workers=1)
class Iris:
    def __init__(self) -> None:
        self.session = ort.InferenceSession(os.environ["SERVING_BENCH_MODEL"], providers=["CPUExecutionProvider"])

    @bentoml.api(batchable=True, max_batch_size=64, max_latency_ms=1000)
    def predict(self, features: np.ndarray) -> np.ndarray:
        return self.session.run(["probabilities"], {"features": features.astype(np.float32)})[0]
