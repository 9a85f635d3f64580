"""The minimal FastAPI + uvicorn + onnxruntime baseline of bench/serving.ts: one route speaking the
same Open Inference Protocol JSON as Sluice's model server, one session, no batching."""
import os

import numpy as np
import onnxruntime as ort
from fastapi import FastAPI, Request

session = ort.InferenceSession(os.environ["SERVING_BENCH_MODEL"], providers=["CPUExecutionProvider"])
app = FastAPI()


@app.post("/v2/models/iris/infer")
async def infer(request: Request):
    body = await request.json()
    x = body["inputs"][0]
    features = np.asarray(x["data"], dtype=np.float32).reshape(x["shape"])
    probabilities, label = session.run(["probabilities", "label"], {"features": features})
    return {
        "model_name": "iris",
        "outputs": [
            {"name": "probabilities", "datatype": "FP32", "shape": list(probabilities.shape), "data": probabilities.ravel().tolist()},
            {"name": "label", "datatype": "INT64", "shape": list(label.shape), "data": label.ravel().tolist()},
        ],
    }
