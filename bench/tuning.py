"""Optuna's TPESampler (default settings) on Branin and Hartmann-6, for `npm run bench:tuning`.

Reads {"trials": N, "seeds": [..], "problems": [..]} as JSON on stdin; writes one JSON object
{problem: [best value per seed, in seed order]} to stdout. One process for all seeds.
"""
import json
import math
import sys

import optuna

optuna.logging.set_verbosity(optuna.logging.WARNING)


def branin(p):
    x, y = p["x"], p["y"]
    b = 5.1 / (4 * math.pi**2)
    c = 5 / math.pi
    t = 1 / (8 * math.pi)
    return (y - b * x * x + c * x - 6) ** 2 + 10 * (1 - t) * math.cos(x) + 10


H6_A = [[10, 3, 17, 3.5, 1.7, 8], [0.05, 10, 17, 0.1, 8, 14], [3, 3.5, 1.7, 10, 17, 8], [17, 8, 0.05, 10, 0.1, 14]]
H6_P = [
    [0.1312, 0.1696, 0.5569, 0.0124, 0.8283, 0.5886],
    [0.2329, 0.4135, 0.8307, 0.3736, 0.1004, 0.9991],
    [0.2348, 0.1451, 0.3522, 0.2883, 0.3047, 0.6650],
    [0.4047, 0.8828, 0.8732, 0.5743, 0.1091, 0.0381],
]
H6_ALPHA = [1.0, 1.2, 3.0, 3.2]


def hartmann6(p):
    x = [p[f"x{i}"] for i in range(6)]
    total = 0.0
    for i in range(4):
        inner = sum(H6_A[i][j] * (x[j] - H6_P[i][j]) ** 2 for j in range(6))
        total += H6_ALPHA[i] * math.exp(-inner)
    return -total


PROBLEMS = {
    "branin": (branin, lambda t: {"x": t.suggest_float("x", -5, 10), "y": t.suggest_float("y", 0, 15)}),
    "hartmann6": (hartmann6, lambda t: {f"x{i}": t.suggest_float(f"x{i}", 0, 1) for i in range(6)}),
}


def main():
    cfg = json.load(sys.stdin)
    out = {}
    for name in cfg["problems"]:
        fn, space = PROBLEMS[name]
        bests = []
        for seed in cfg["seeds"]:
            study = optuna.create_study(direction="minimize", sampler=optuna.samplers.TPESampler(seed=seed))
            study.optimize(lambda t: fn(space(t)), n_trials=cfg["trials"])
            bests.append(study.best_value)
        out[name] = bests
    json.dump(out, sys.stdout)


main()
