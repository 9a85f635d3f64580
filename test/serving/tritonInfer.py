"""Drives Sluice's model server with NVIDIA's tritonclient (HTTP), unchanged: health, model
metadata and readiness of a model addressed by alias, then inference with binary tensor data (the
client's default) and with JSON. With a third argument, an API token, every call sends it as
`Authorization: Bearer` (tritonclient's `headers`), and a call without it is tried too. Prints one
JSON line of what it saw; the test checks it."""
import json
import sys

import numpy as np
import tritonclient.http as httpclient

url, model = sys.argv[1], sys.argv[2]
token = sys.argv[3] if len(sys.argv) > 3 else None


def auth():
    # A fresh dict per call: tritonclient's infer writes Inference-Header-Content-Length into the
    # headers it is given, and a reused dict would carry one request's length into the next.
    return {"Authorization": "Bearer " + token} if token else None


client = httpclient.InferenceServerClient(url=url)
seen = {
    "live": client.is_server_live(),
    "ready": client.is_server_ready(),
    "model_ready": client.is_model_ready(model, headers=auth()),
    "metadata": client.get_model_metadata(model, headers=auth()),
}
if token:
    try:
        client.get_model_metadata(model)
        seen["no_token"] = None
    except httpclient.InferenceServerException as e:
        seen["no_token"] = {"status": e.status(), "message": e.message()}
rows = np.array([[5.1, 3.5, 1.4, 0.2], [6.7, 3.0, 5.2, 2.3]], dtype=np.float32)
for binary in (True, False):
    features = httpclient.InferInput("features", list(rows.shape), "FP32")
    features.set_data_from_numpy(rows, binary_data=binary)
    outputs = [httpclient.InferRequestedOutput("label", binary_data=binary), httpclient.InferRequestedOutput("probabilities", binary_data=binary)]
    result = client.infer(model, inputs=[features], outputs=outputs, request_id="tc-%s" % binary, headers=auth())
    response = result.get_response()
    seen["binary" if binary else "json"] = {
        "model_version": response.get("model_version"),
        "label": result.as_numpy("label").tolist(),
        "probabilities_shape": list(result.as_numpy("probabilities").shape),
    }
# Without requested outputs the client asks for every output as binary data.
features = httpclient.InferInput("features", list(rows.shape), "FP32")
features.set_data_from_numpy(rows)
seen["default_outputs"] = client.infer(model, inputs=[features], headers=auth()).as_numpy("label").tolist()
try:
    bad = httpclient.InferInput("features", [2, 3], "FP32")
    bad.set_data_from_numpy(rows[:, :3].copy())
    client.infer(model, inputs=[bad], headers=auth())
    seen["bad"] = None
except httpclient.InferenceServerException as e:
    seen["bad"] = {"status": e.status(), "message": e.message()}
print(json.dumps(seen))
