#!/usr/bin/env python3
"""PyTorch side of `npm run perf`'s activation-collection workload: a forward
without gradients over B x T random tokens that keeps the residual stream after
every layer (what molt's probes read, blocks.{l}.hook_resid_post), each copied
into its own numpy array in host memory. Logits of the last position only, as
molt's probes ask for (lastOnly). Prints one JSON line; tokens/s = B * T / s.
"""
import numpy as np
import torch

from perf_common import base_parser, load_model, print_result, time_iterations


@torch.no_grad()
def collect_residuals(model, ids):
    """ids [B, T] -> one float32 array [B * T, d] per layer (copies, not views)."""
    _, hidden = model(ids, return_hidden=True, last_only=True)
    d = model.spec.hidden_size
    return [np.array(h.reshape(-1, d).numpy(), dtype=np.float32, copy=True) for h in hidden[1:]]


def main():
    ap = base_parser(__doc__)
    ap.add_argument("--seq", type=int, required=True)
    a = ap.parse_args()
    model = load_model(a)
    vocab = model.spec.vocab_size
    gen = torch.Generator().manual_seed(a.seed)
    collected = {}

    def step():
        ids = torch.randint(0, vocab, (a.batch, a.seq), generator=gen)
        acts = collect_residuals(model, ids)
        collected["layers"] = len(acts)
        collected["values"] = sum(x.size for x in acts)
        return acts[0].shape[0]  # rows per layer = tokens read

    elapsed, cpu, tokens = time_iterations(step, a.warmup, a.steps)
    print_result(a, model, tokens, elapsed, cpu, seq=a.seq, layers=collected["layers"], values=collected["values"])


if __name__ == "__main__":
    main()
