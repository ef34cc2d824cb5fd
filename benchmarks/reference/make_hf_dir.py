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
import zlib

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hf_models import CausalLM, ConfigError  # noqa: E402
from safetensors_io import bf16_bits, write_safetensors_lazy  # noqa: E402

TOKENIZER_FILES = ("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "chat_template.jinja")


def tensor_values(name, shape, gemma, seed, std, norm_std):
    """One tensor's random values (float32), drawn from its own stream so that
    they do not depend on the other tensors or on how the file is sharded."""
    g = torch.Generator().manual_seed((seed * 1_000_003 + zlib.crc32(name.encode())) % (2 ** 63))
    noise = torch.randn(shape, generator=g, dtype=torch.float32)
    if name.endswith("norm.weight"):
        return ((0.0 if gemma else 1.0) + norm_std * noise).numpy()
    return (std * noise).numpy()


TAGS = {"float32": "F32", "bfloat16": "BF16", "float16": "F16"}


def encode(arr, dtype):
    if dtype == "float32":
        return arr
    if dtype == "float16":
        return arr.astype(np.float16)
    return bf16_bits(arr)


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
    # the names and shapes are all we need of the module: drop its own weights
    # before drawing ours, so a 1B model is never in memory twice
    shapes = {n: tuple(p.shape) for n, p in model.state_dict().items()}
    gemma = model.spec.gemma
    del model
    os.makedirs(a.out, exist_ok=True)
    with open(os.path.join(a.out, "config.json"), "w") as f:
        json.dump(cfg, f, indent=2)
    names = sorted(shapes)
    tag = TAGS[a.dtype]
    itemsize = 4 if a.dtype == "float32" else 2
    sizes = {n: int(np.prod(shapes[n])) * itemsize for n in names}

    def produce(name):
        return encode(tensor_values(name, shapes[name], gemma, a.seed, a.std, a.norm_std), a.dtype)

    groups = shard_names(names, sizes, a.shards) if a.shards > 1 else [names]
    weight_map = {}
    for i, group in enumerate(groups):
        file = "model.safetensors" if len(groups) == 1 else f"model-{i + 1:05d}-of-{len(groups):05d}.safetensors"
        write_safetensors_lazy(os.path.join(a.out, file), [(n, tag, shapes[n]) for n in group], produce, {"format": "pt"})
        weight_map.update({n: file for n in group})
    if len(groups) > 1:
        with open(os.path.join(a.out, "model.safetensors.index.json"), "w") as f:
            json.dump({"metadata": {"total_size": sum(sizes.values())}, "weight_map": weight_map}, f, indent=2)
    if a.tokenizer_dir:
        for name in TOKENIZER_FILES:
            src = os.path.join(a.tokenizer_dir, name)
            if os.path.isfile(src):
                shutil.copyfile(src, os.path.join(a.out, name))
    print(json.dumps({"out": a.out, "tensors": len(names), "dtype": a.dtype, "shards": len(groups)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
