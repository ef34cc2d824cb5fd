#!/usr/bin/env python3
"""PyTorch side of `npm run perf`: train the reference HF model (hf_models.py)
for a fixed number of steps on random tokens and print one JSON line.

Same step as molt's benchmark: forward, masked next-token cross-entropy,
backward, global-norm clipping, AdamW. Random data of shape [B, T+1] per step (inputs = [:, :T],
targets = [:, 1:], weight 1 everywhere). Warm-up steps are not timed.

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
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "reference"))
from hf_models import CausalLM  # noqa: E402


def masked_cross_entropy(logits, targets, weights):
    logp = F.log_softmax(logits, dim=-1)
    tok = logp.gather(-1, targets.unsqueeze(-1)).squeeze(-1)
    return -(tok * weights).sum() / weights.sum().clamp(min=1.0)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--config", required=True, help="HF config.json of the model to train")
    ap.add_argument("--batch", type=int, required=True)
    ap.add_argument("--seq", type=int, required=True)
    ap.add_argument("--steps", type=int, required=True, help="timed steps")
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--lr", type=float, default=1e-3)
    # defaults mirror molt's DEFAULT_ADAMW (core/train/optimizer.ts); the runner passes them explicitly
    ap.add_argument("--beta1", type=float, default=0.9)
    ap.add_argument("--beta2", type=float, default=0.95)
    ap.add_argument("--eps", type=float, default=1e-8)
    ap.add_argument("--weight-decay", type=float, default=0.0)
    ap.add_argument("--max-grad-norm", type=float, default=1.0)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()

    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    with open(a.config) as f:
        cfg = json.load(f)
    model = CausalLM(cfg, where=a.config).init_weights(a.seed).train()
    # molt decays only weight matrices that are not embeddings; same split here
    decay = [p for n, p in model.named_parameters() if p.dim() >= 2 and "embed" not in n]
    no_decay = [p for n, p in model.named_parameters() if not (p.dim() >= 2 and "embed" not in n)]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": a.weight_decay}, {"params": no_decay, "weight_decay": 0.0}],
                            lr=a.lr, betas=(a.beta1, a.beta2), eps=a.eps)
    vocab = model.spec.vocab_size
    gen = torch.Generator().manual_seed(a.seed)
    weights = torch.ones(a.batch, a.seq)

    def step():
        data = torch.randint(0, vocab, (a.batch, a.seq + 1), generator=gen)
        logits = model(data[:, :-1])
        loss = masked_cross_entropy(logits, data[:, 1:], weights)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        if a.max_grad_norm > 0:
            torch.nn.utils.clip_grad_norm_(model.parameters(), a.max_grad_norm)
        opt.step()
        return float(loss)

    for _ in range(a.warmup):
        step()
    t0 = time.perf_counter()
    c0 = time.process_time()  # CPU time of all threads: steadier than wall time on a shared machine
    loss = float("nan")
    for _ in range(a.steps):
        loss = step()
    elapsed = time.perf_counter() - t0
    cpu = time.process_time() - c0
    tokens = a.batch * a.seq * a.steps
    out = {
        "tok_s": tokens / elapsed,
        "cpu_tok_s": tokens / cpu,
        "step_ms": 1000 * elapsed / a.steps,
        "steps": a.steps,
        "warmup": a.warmup,
        "tokens_per_step": a.batch * a.seq,
        "threads": a.threads,
        "openblas_threads": os.environ.get("OPENBLAS_NUM_THREADS"),
        "final_loss": loss,
        "params": sum(p.numel() for p in model.parameters()),
        # Linux reports ru_maxrss in KiB
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "torch_version": torch.__version__,
    }
    print(json.dumps(out))


if __name__ == "__main__":
    main()
