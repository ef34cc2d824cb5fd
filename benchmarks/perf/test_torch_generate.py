"""The KV-cache path of the reference models (hf_models.py forward(cache=...)) and
torch_generate.generate must decode exactly what the full uncached forward does.
Run: python3 test_torch_generate.py (test/perf/torch-generate.spec.ts does).
"""
import os
import sys
import unittest

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from perf_common import CausalLM  # noqa: E402  (perf_common puts ../reference on the path)
from torch_generate import generate  # noqa: E402

torch.set_num_threads(1)

# Small, but with what a cache can get wrong: GQA, and for gemma3 sliding layers
# whose window (3) the prompt (5) and the generated tokens (8) both exceed.
OLMO2 = dict(model_type="olmo2", vocab_size=23, hidden_size=16, intermediate_size=24, num_hidden_layers=2,
             num_attention_heads=4, num_key_value_heads=2, rms_norm_eps=1e-6, rope_theta=10000.0,
             hidden_act="silu", tie_word_embeddings=False)
GEMMA3 = dict(model_type="gemma3_text", vocab_size=23, hidden_size=16, intermediate_size=24, num_hidden_layers=3,
              num_attention_heads=4, num_key_value_heads=2, head_dim=4, rms_norm_eps=1e-6, rope_theta=1e6,
              rope_local_base_freq=1e4, query_pre_attn_scalar=4, sliding_window=3, sliding_window_pattern=2,
              hidden_activation="gelu_pytorch_tanh", tie_word_embeddings=True)
PROMPT, NEW = 5, 8


def salient_model(cfg, dtype):
    # std 0.5: logits far from uniform, so a wrong key or position changes them visibly
    return CausalLM(cfg).to(dtype).init_weights(seed=3, std=0.5).eval()


def prompts(vocab):
    return torch.randint(0, vocab, (3, PROMPT), generator=torch.Generator().manual_seed(7))


class CachedEqualsUncached(unittest.TestCase):
    def check_greedy(self, cfg, dtype, tol):
        m = salient_model(cfg, dtype)
        p = prompts(cfg["vocab_size"])
        cached, cached_logits = generate(m, p, NEW, temperature=0, use_cache=True)
        full, full_logits = generate(m, p, NEW, temperature=0, use_cache=False)
        self.assertEqual(tuple(cached.shape), (3, NEW))
        self.assertTrue(torch.equal(cached, full), f"{cfg['model_type']}: {cached.tolist()} vs {full.tolist()}")
        worst = max(float((a - b).abs().max()) for a, b in zip(cached_logits, full_logits))
        self.assertLess(worst, tol, cfg["model_type"])
        # greedy really depends on the context (not one token over and over)
        self.assertGreater(len(set(full.flatten().tolist())), 2)

    def test_greedy_olmo2(self):
        self.check_greedy(OLMO2, torch.float64, 1e-10)
        self.check_greedy(OLMO2, torch.float32, 1e-4)

    def test_greedy_gemma3_past_the_window(self):
        self.check_greedy(GEMMA3, torch.float64, 1e-10)
        self.check_greedy(GEMMA3, torch.float32, 1e-4)

    def test_sampling_same_draws(self):
        for cfg in (OLMO2, GEMMA3):
            m = salient_model(cfg, torch.float64)
            p = prompts(cfg["vocab_size"])
            a, _ = generate(m, p, NEW, 1.0, torch.Generator().manual_seed(11), use_cache=True)
            b, _ = generate(m, p, NEW, 1.0, torch.Generator().manual_seed(11), use_cache=False)
            self.assertTrue(torch.equal(a, b), cfg["model_type"])

    def test_sliding_layers_keep_only_the_window(self):
        m = salient_model(GEMMA3, torch.float64)
        cache = m.new_cache()
        m(prompts(23), cache=cache, last_only=True)
        self.assertEqual(cache.length, PROMPT)
        kinds = m.spec.layer_types
        self.assertEqual(kinds, ["sliding_attention", "full_attention", "sliding_attention"])
        self.assertEqual([layer.k.shape[2] for layer in cache.layers], [3, PROMPT, 3])
        self.assertEqual([layer.start for layer in cache.layers], [PROMPT - 3, 0, PROMPT - 3])

    def test_a_cache_that_loses_its_positions_is_caught(self):
        # The comparison above can fail: forget the absolute position after every
        # step (wrong RoPE angles and masks) and the logits move.
        m = salient_model(GEMMA3, torch.float64)
        p = prompts(23)
        _, full_logits = generate(m, p, NEW, temperature=0, use_cache=False)
        cache = m.new_cache()
        feed, worst = p, 0.0
        with torch.no_grad():
            for want in full_logits:
                logits = m(feed, cache=cache, last_only=True)[:, -1]
                worst = max(worst, float((logits - want).abs().max()))
                feed = want.argmax(dim=-1, keepdim=True)
                for layer in cache.layers:
                    layer.length, layer.start = 0, 0
        self.assertGreater(worst, 1e-3)


if __name__ == "__main__":
    unittest.main()
