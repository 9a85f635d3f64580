"""Python side of `npm run bench:inference`; bench/inference.ts starts it and drives it.

Loads the same ONNX model with the same session settings as the Node side and the same float32
batches (one raw file), then answers commands on stdin, one JSON line each on stdout, so that the
Node side can alternate Node and Python passes (background load then hits both alike):

  sample <batchSize> <passes>  that many passes over every row: {"wall": s, "cpu": s} per pass
  checksum <batchSize>  {"checksum": Σ probabilities, "firstRow": [...]}
  quit

Usage: inference.py <meta.json>
"""
import json
import sys
import time

import numpy as np
import onnxruntime as ort


def main() -> None:
    meta = json.load(open(sys.argv[1]))
    rows, width = meta["rows"], meta["features"]
    x = np.fromfile(meta["batches"], dtype="<f4").reshape(rows, width)
    so = ort.SessionOptions()
    so.intra_op_num_threads = meta["intraOpNumThreads"]
    so.inter_op_num_threads = meta["interOpNumThreads"]
    so.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    sess = ort.InferenceSession(meta["model"], so, providers=["CPUExecutionProvider"])
    name = meta["inputName"]
    cache = {}

    def batches(size: int):
        # Views, not copies: row slices of a C-contiguous array, as the Node side's subarrays.
        if size not in cache:
            cache[size] = [x[s : s + size] for s in range(0, rows, size)]
        return cache[size]

    print(json.dumps({"ready": True, "onnxruntime": ort.__version__, "numpy": np.__version__, "python": sys.version.split()[0]}), flush=True)
    for line in sys.stdin:
        cmd, *args = line.split()
        if cmd == "quit":
            break
        bs = batches(int(args[0]))
        if cmd == "sample":
            passes = int(args[1])
            c0, t0 = time.process_time(), time.perf_counter()
            for _ in range(passes):
                for b in bs:
                    sess.run(None, {name: b})
            print(json.dumps({"wall": (time.perf_counter() - t0) / passes, "cpu": (time.process_time() - c0) / passes}), flush=True)
        elif cmd == "checksum":
            probs = np.concatenate([sess.run([meta["checksumOutput"]], {name: b})[0] for b in bs])
            print(json.dumps({"checksum": float(probs.astype(np.float64).sum()), "firstRow": probs[0].tolist()}), flush=True)


if __name__ == "__main__":
    main()
