#!/usr/bin/env python3
"""Compare molt's training gradients with PyTorch autograd on the reference model.

  check_grads.py --checkpoint DIR --grads-json FILE [--tol 1e-4] [--json]

FILE: {"ids": [[...]], "targets": [[...]], "weights": [[...]], "loss": float,
       "grads": {hf_name: [flat float32 values, row-major]}}
Loss (as molt's maskedCrossEntropy): -sum_t w_t log p(target_t) / max(sum_t w_t, 1).
The reference runs in float64. A tensor passes when max|g_molt - g_ref| <= tol * max(1, max|g_ref|).
Exit 0 if the loss and every gradient pass, 1 if not, 2 on bad input.
"""
import argparse
import json
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hf_models import ConfigError, load_checkpoint  # noqa: E402
from safetensors_io import SafetensorsError  # noqa: E402


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--checkpoint", required=True)
    ap.add_argument("--grads-json", required=True)
    ap.add_argument("--tol", type=float, default=1e-4)
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args(argv)
    try:
        with open(a.grads_json) as f:
            doc = json.load(f)
        for k in ("ids", "targets", "weights", "loss", "grads"):
            if k not in doc:
                raise ValueError(f"{a.grads_json}: field '{k}' is missing")
        model = load_checkpoint(a.checkpoint, torch.float64)
    except (ValueError, ConfigError, SafetensorsError, OSError) as e:
        print(f"check_grads: {e}", file=sys.stderr)
        return 2

    ids = torch.tensor(doc["ids"], dtype=torch.long)
    targets = torch.tensor(doc["targets"], dtype=torch.long)
    weights = torch.tensor(doc["weights"], dtype=torch.float64)
    model.train()
    logp = F.log_softmax(model(ids), dim=-1)
    tok = logp.gather(-1, targets.unsqueeze(-1)).squeeze(-1)
    loss = -(tok * weights).sum() / weights.sum().clamp(min=1.0)
    loss.backward()

    params = dict(model.named_parameters())
    missing = [n for n in params if n not in doc["grads"]]
    extra = [n for n in doc["grads"] if n not in params and not (n == "lm_head.weight" and model.spec.tie)]
    if missing or extra:
        print(f"check_grads: {a.grads_json}: gradient names do not match: missing {missing}, unexpected {extra}", file=sys.stderr)
        return 2
    per_tensor = {}
    ok = True
    for name, p in params.items():
        ref = p.grad.detach().numpy() if p.grad is not None else np.zeros(tuple(p.shape))
        got = np.asarray(doc["grads"][name], dtype=np.float64)
        if got.size != ref.size:
            print(f"check_grads: gradient '{name}' has {got.size} values, parameter has {ref.size}", file=sys.stderr)
            return 2
        got = got.reshape(ref.shape)
        diff = float(np.abs(got - ref).max())
        scale = float(np.abs(ref).max())
        passed = diff <= a.tol * max(1.0, scale)
        ok = ok and passed
        per_tensor[name] = {"max_abs_diff": diff, "max_abs_grad": scale, "ok": passed}
    loss_diff = abs(float(doc["loss"]) - float(loss))
    loss_ok = loss_diff <= a.tol * max(1.0, abs(float(loss)))
    ok = ok and loss_ok
    worst = max(per_tensor.items(), key=lambda kv: kv[1]["max_abs_diff"] / max(1.0, kv[1]["max_abs_grad"]))
    summary = {
        "model_type": model.spec.model_type,
        "loss_ref": float(loss),
        "loss_diff": loss_diff,
        "max_grad_diff": max(v["max_abs_diff"] for v in per_tensor.values()),
        "worst_tensor": worst[0],
        "failing": [n for n, v in per_tensor.items() if not v["ok"]],
        "tensors": len(per_tensor),
        "tol": a.tol,
        "ok": ok,
    }
    if a.json:
        print(json.dumps(summary))
    else:
        print(f"{summary['model_type']}: loss diff {loss_diff:.2e}; max grad diff {summary['max_grad_diff']:.2e} "
              f"(worst {worst[0]}) over {len(per_tensor)} tensors; {'OK' if ok else 'FAIL ' + str(summary['failing'])}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
