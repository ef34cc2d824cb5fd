"""What the PyTorch inference benchmarks of `npm run perf` share (torch_generate.py,
torch_activations.py): the command-line options every workload takes, loading the
reference model, timing warm-up and timed iterations, and the JSON line printed.

Thread settings are the caller's: --threads sets torch's intra-op threads;
OPENBLAS_NUM_THREADS must be in the environment before python starts.
"""
import argparse
import json
import os
import resource
import sys
import time

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "reference"))
from hf_models import CausalLM  # noqa: E402


def base_parser(description):
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("--config", required=True, help="HF config.json of the model")
    ap.add_argument("--batch", type=int, required=True)
    ap.add_argument("--steps", type=int, required=True, help="timed iterations")
    ap.add_argument("--warmup", type=int, default=2, help="untimed iterations first")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seed", type=int, default=0)
    return ap


def load_model(args):
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    with open(args.config) as f:
        cfg = json.load(f)
    return CausalLM(cfg, where=args.config).init_weights(args.seed).eval()


def time_iterations(step, warmup, steps):
    """Run step() warmup times untimed, then steps times timed. Returns (wall seconds,
    CPU seconds of all threads, the last step's return value)."""
    for _ in range(warmup):
        step()
    t0 = time.perf_counter()
    c0 = time.process_time()  # steadier than wall time on a shared machine
    last = None
    for _ in range(steps):
        last = step()
    return time.perf_counter() - t0, time.process_time() - c0, last


def print_result(args, model, tokens_per_step, elapsed, cpu, **extra):
    tokens = tokens_per_step * args.steps
    out = {
        "tok_s": tokens / elapsed,
        "cpu_tok_s": tokens / cpu,
        "step_ms": 1000 * elapsed / args.steps,
        "steps": args.steps,
        "warmup": args.warmup,
        "tokens_per_step": tokens_per_step,
        "threads": args.threads,
        "openblas_threads": os.environ.get("OPENBLAS_NUM_THREADS"),
        "params": sum(p.numel() for p in model.parameters()),
        # Linux reports ru_maxrss in KiB
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "torch_version": torch.__version__,
    }
    out.update(extra)
    print(json.dumps(out))
