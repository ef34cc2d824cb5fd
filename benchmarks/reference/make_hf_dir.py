#!/usr/bin/env python3
"""Write a random-weight Hugging Face model directory with this directory's
independent PyTorch implementation, as a checkpoint trained elsewhere would
arrive: config.json as given, weights in float32, bfloat16 or float16, in one
model.safetensors or in shards with model.safetensors.index.json, and the
tokenizer files copied from another directory.

  make_hf_dir.py --config CONFIG.json --out DIR [--seed N] [--dtype bfloat16]
                 [--shards 3] [--std 0.3] [--norm-std 0.2] [--tokenizer-dir DIR]

Weights: matrices N(0, std^2); norm weights at identity (1 for OLMo2's w,
0 for Gemma3's 1 + w) plus N(0, norm_std^2), so that every part of the block
moves the logits (HF's own init, std 0.02, gives near-uniform logits that
would hide mistakes). Pass --std 0.02 --norm-std 0 for HF's init.
"""
import argparse
import json
import os
import shutil
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hf_models import CausalLM, ConfigError  # noqa: E402
from safetensors_io import bf16_bits, write_safetensors  # noqa: E402

TOKENIZER_FILES = ("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "chat_template.jinja")


def random_state(model, seed, std, norm_std):
    g = torch.Generator().manual_seed(seed)
    out = {}
    for name, p in model.state_dict().items():
        noise = torch.randn(p.shape, generator=g, dtype=torch.float64)
        if name.endswith("norm.weight"):
            out[name] = (0.0 if model.spec.gemma else 1.0) + norm_std * noise
        else:
            out[name] = std * noise
    return {n: t.to(torch.float32).numpy() for n, t in out.items()}


def encode(tensors, dtype):
    """-> (name -> array to write, name -> safetensors tag override)"""
    if dtype == "float32":
        return tensors, {}
    if dtype == "float16":
        return {n: a.astype(np.float16) for n, a in tensors.items()}, {}
    return {n: bf16_bits(a) for n, a in tensors.items()}, {n: "BF16" for n in tensors}


def shard_names(names, sizes, shards):
    """Contiguous groups of the sorted names, of roughly equal bytes, as transformers splits."""
    total = sum(sizes[n] for n in names)
    groups, current, acc = [], [], 0
    for n in names:
        current.append(n)
        acc += sizes[n]
        if acc >= total * (len(groups) + 1) / shards and len(groups) < shards - 1:
            groups.append(current)
            current = []
    groups.append(current)
    return [g for g in groups if g]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--config", required=True, help="config.json to use as is")
    ap.add_argument("--out", required=True, help="directory to write (created)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--dtype", choices=("float32", "bfloat16", "float16"), default="float32")
    ap.add_argument("--shards", type=int, default=1, help="1: model.safetensors; more: shards + index")
    ap.add_argument("--std", type=float, default=0.3)
    ap.add_argument("--norm-std", type=float, default=0.2)
    ap.add_argument("--tokenizer-dir", help="copy tokenizer.json, tokenizer_config.json, ... from here")
    a = ap.parse_args(argv)
    try:
        with open(a.config) as f:
            cfg = json.load(f)
        model = CausalLM(cfg, where=a.config)
    except (ConfigError, OSError, json.JSONDecodeError) as e:
        print(f"make_hf_dir: {e}", file=sys.stderr)
        return 2
    os.makedirs(a.out, exist_ok=True)
    with open(os.path.join(a.out, "config.json"), "w") as f:
        json.dump(cfg, f, indent=2)
    tensors, tags = encode(random_state(model, a.seed, a.std, a.norm_std), a.dtype)
    names = sorted(tensors)
    if a.shards <= 1:
        write_safetensors(os.path.join(a.out, "model.safetensors"), tensors, {"format": "pt"}, tags)
    else:
        sizes = {n: tensors[n].nbytes for n in names}
        groups = shard_names(names, sizes, a.shards)
        weight_map = {}
        for i, group in enumerate(groups):
            file = f"model-{i + 1:05d}-of-{len(groups):05d}.safetensors"
            write_safetensors(os.path.join(a.out, file), {n: tensors[n] for n in group}, {"format": "pt"}, {n: tags[n] for n in group if n in tags})
            weight_map.update({n: file for n in group})
        with open(os.path.join(a.out, "model.safetensors.index.json"), "w") as f:
            json.dump({"metadata": {"total_size": sum(sizes.values())}, "weight_map": weight_map}, f, indent=2)
    if a.tokenizer_dir:
        for name in TOKENIZER_FILES:
            src = os.path.join(a.tokenizer_dir, name)
            if os.path.isfile(src):
                shutil.copyfile(src, os.path.join(a.out, name))
    print(json.dumps({"out": a.out, "tensors": len(names), "dtype": a.dtype, "shards": max(1, a.shards)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
