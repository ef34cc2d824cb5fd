#!/usr/bin/env python3
"""PyTorch side of `npm run perf`'s generation workload: B prompts of P random
tokens -> N new tokens each, sampled at a temperature with a KV cache, no early
stop. Prints one JSON line; tokens/s counts new tokens (B * N per iteration).

Same loop as molt's generate (core/model/generate.ts): the first forward runs
the whole prompt, each later one the token just sampled, logits of the last
position only; the N-th sampled token is never fed back.
"""
import torch

from perf_common import base_parser, load_model, print_result, time_iterations


def sample(logits, temperature, gen):
    """logits [B, V] -> next ids [B, 1]; temperature 0 is greedy."""
    if temperature == 0:
        return logits.argmax(dim=-1, keepdim=True)
    probs = torch.softmax(logits.double() / temperature, dim=-1)
    return torch.multinomial(probs, 1, generator=gen)


@torch.no_grad()
def generate(model, prompts, new_tokens, temperature=1.0, gen=None, use_cache=True):
    """prompts [B, P] -> (new ids [B, N], per step the [B, V] logits the ids came from).
    use_cache=False re-runs the whole sequence every step: the reference the cache
    is tested against."""
    cache = model.new_cache() if use_cache else None
    seq = prompts
    feed = prompts
    out, step_logits = [], []
    for _ in range(new_tokens):
        if cache is not None:
            logits = model(feed, cache=cache, last_only=True)[:, -1]
        else:
            logits = model(seq, last_only=True)[:, -1]
        nxt = sample(logits, temperature, gen)
        out.append(nxt)
        step_logits.append(logits)
        feed = nxt
        if cache is None:
            seq = torch.cat([seq, nxt], dim=1)
    return torch.cat(out, dim=1), step_logits


def main():
    ap = base_parser(__doc__)
    ap.add_argument("--prompt", type=int, required=True, help="prompt tokens P")
    ap.add_argument("--new-tokens", type=int, required=True, help="new tokens N per prompt")
    ap.add_argument("--temperature", type=float, default=1.0)
    a = ap.parse_args()
    model = load_model(a)
    vocab = model.spec.vocab_size
    gen = torch.Generator().manual_seed(a.seed)

    def step():
        prompts = torch.randint(0, vocab, (a.batch, a.prompt), generator=gen)
        ids, _ = generate(model, prompts, a.new_tokens, a.temperature, gen)
        return ids.numel()  # counted, not assumed: B * N when nothing stops early

    elapsed, cpu, produced = time_iterations(step, a.warmup, a.steps)
    print_result(a, model, produced, elapsed, cpu, prompt=a.prompt, new_tokens=a.new_tokens, temperature=a.temperature)


if __name__ == "__main__":
    main()
