#!/usr/bin/env python3
"""Compare logits from molt (JSON) with this directory's independent PyTorch
implementation of the HF model on the same checkpoint.

  check_parity.py --checkpoint DIR --ids-json FILE
      FILE is `molt forward ... --json [--all-positions]` output:
      {"ids": [...], "logits": [[V floats] per position]} or {"ids": [...], "last_logits": [V floats]}
      ("ids" may also be a list of equal-length sequences, with logits [B][T][V] / last_logits [B][V]).
  check_parity.py --checkpoint DIR --ids "1 2 3" --logits-json FILE
      ids given on the command line, expected logits from FILE.
  check_parity.py --checkpoint DIR --ids "1 2 3"
      no expected logits: print the reference logits as JSON (same format).

Prints the max abs difference; exit 0 if <= --tol (default 1e-4), 1 if above, 2 on bad input.
"""
import argparse
import json
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hf_models import ConfigError, load_checkpoint  # noqa: E402
from safetensors_io import SafetensorsError  # noqa: E402


class InputError(ValueError):
    pass


def as_batch(ids, where):
    if not isinstance(ids, list) or not ids:
        raise InputError(f"{where}: 'ids' must be a non-empty list")
    batch = ids if isinstance(ids[0], list) else [ids]
    if len({len(s) for s in batch}) != 1 or not batch[0]:
        raise InputError(f"{where}: sequences in 'ids' must be non-empty and of equal length")
    if not all(isinstance(x, int) for s in batch for x in s):
        raise InputError(f"{where}: 'ids' must hold integers")
    return batch


def expected_logits(doc, batched, where):
    """-> (array [B, T, V] or [B, 1, V], kind)"""
    if "logits" in doc:
        arr = np.asarray(doc["logits"], dtype=np.float64)
        if not batched:
            arr = arr[None]
        if arr.ndim != 3:
            raise InputError(f"{where}: 'logits' must be [T][V] (or [B][T][V] for batched ids), got shape {list(arr.shape)}")
        return arr, "all"
    if "last_logits" in doc:
        arr = np.asarray(doc["last_logits"], dtype=np.float64)
        if not batched:
            arr = arr[None]
        if arr.ndim != 2:
            raise InputError(f"{where}: 'last_logits' must be [V] (or [B][V]), got shape {list(arr.shape)}")
        return arr[:, None, :], "last"
    raise InputError(f"{where}: neither 'logits' nor 'last_logits' present")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--checkpoint", required=True, help="HF-layout dir: config.json + model.safetensors")
    ap.add_argument("--ids-json", help="molt forward --json output (ids + logits)")
    ap.add_argument("--ids", help="space-separated token ids")
    ap.add_argument("--logits-json", help="expected logits when --ids is used")
    ap.add_argument("--tol", type=float, default=1e-4)
    ap.add_argument("--float64", action="store_true", help="run the reference in float64")
    ap.add_argument("--json", action="store_true", help="print a JSON summary instead of text")
    a = ap.parse_args(argv)

    try:
        doc = None
        where = None
        if a.ids_json:
            where = a.ids_json
            with open(a.ids_json) as f:
                doc = json.load(f)
            raw_ids = doc.get("ids")
        elif a.ids:
            where = "--ids"
            try:
                raw_ids = [int(x) for x in a.ids.replace(",", " ").split()]
            except ValueError:
                raise InputError(f"--ids: '{a.ids}' is not a list of integers")
            if a.logits_json:
                with open(a.logits_json) as f:
                    doc = json.load(f)
        else:
            raise InputError("give --ids-json FILE or --ids \"1 2 3\"")
        batched = isinstance(raw_ids, list) and bool(raw_ids) and isinstance(raw_ids[0], list)
        batch = as_batch(raw_ids, where)

        model = load_checkpoint(a.checkpoint, torch.float64 if a.float64 else torch.float32)
        vocab = model.spec.vocab_size
        bad = [x for s in batch for x in s if not 0 <= x < vocab]
        if bad:
            raise InputError(f"{where}: ids {bad[:5]} outside the vocabulary of {a.checkpoint} (size {vocab})")
        with torch.no_grad():
            ref = model(torch.tensor(batch, dtype=torch.long)).double().numpy()
    except (InputError, ConfigError, SafetensorsError, OSError, json.JSONDecodeError) as e:
        print(f"check_parity: {e}", file=sys.stderr)
        return 2

    if doc is None:
        out = {"ids": raw_ids, "logits": (ref if batched else ref[0]).tolist()}
        print(json.dumps(out))
        return 0

    try:
        exp, kind = expected_logits(doc, batched, where if a.ids_json else a.logits_json)
        got = ref if kind == "all" else ref[:, -1:, :]
        if exp.shape != got.shape:
            raise InputError(f"{where}: expected logits shape {list(exp.shape)} but the reference gives {list(got.shape)}")
    except InputError as e:
        print(f"check_parity: {e}", file=sys.stderr)
        return 2

    diff = np.abs(exp - got)
    max_diff = float(diff.max())
    argmax_agree = float(np.mean(exp.argmax(-1) == got.argmax(-1)))
    b, t, _ = np.unravel_index(int(diff.argmax()), diff.shape)
    ok = bool(np.isfinite(max_diff) and max_diff <= a.tol)
    summary = {
        "model_type": model.spec.model_type,
        "positions": int(got.shape[0] * got.shape[1]),
        "max_abs_diff": max_diff,
        "mean_abs_diff": float(diff.mean()),
        "worst_at": {"batch": int(b), "position": int(t)},
        "argmax_agreement": argmax_agree,
        "logit_scale": float(np.abs(got).max()),
        "tol": a.tol,
        "ok": ok,
    }
    if a.json:
        print(json.dumps(summary))
    else:
        print(
            f"{summary['model_type']}: max abs diff {max_diff:.3e} (mean {summary['mean_abs_diff']:.3e}, "
            f"worst at batch {b} position {t}) over {summary['positions']} positions; "
            f"argmax agreement {argmax_agree:.3f}; |logit| up to {summary['logit_scale']:.3g}; "
            f"{'OK' if ok else 'FAIL'} (tol {a.tol:g})"
        )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
