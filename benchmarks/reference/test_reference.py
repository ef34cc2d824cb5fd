"""Known-answer tests for the reference PyTorch models (run: python3 test_reference.py).

Run from test/perf/reference.spec.ts so `npm test` covers them when a python
with torch exists.
"""
import json
import math
import os
import struct
import subprocess
import sys
import tempfile
import unittest

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from hf_models import (  # noqa: E402
    ArchSpec,
    CausalLM,
    ConfigError,
    RMSNorm,
    apply_rope,
    attention_allowed,
    gelu_tanh,
    load_checkpoint,
    rope_cos_sin,
    save_checkpoint,
)
from safetensors_io import bf16_bits, read_safetensors, write_safetensors  # noqa: E402

torch.set_num_threads(1)


def olmo2_cfg(**kw):
    c = dict(model_type="olmo2", vocab_size=11, hidden_size=8, intermediate_size=12, num_hidden_layers=2,
             num_attention_heads=2, num_key_value_heads=2, rms_norm_eps=1e-6, rope_theta=10000.0,
             hidden_act="silu", tie_word_embeddings=False, attention_bias=False)
    c.update(kw)
    return c


def gemma3_cfg(**kw):
    c = dict(model_type="gemma3_text", vocab_size=11, hidden_size=8, intermediate_size=12, num_hidden_layers=2,
             num_attention_heads=2, num_key_value_heads=1, head_dim=4, rms_norm_eps=1e-6, rope_theta=1e6,
             rope_local_base_freq=1e4, query_pre_attn_scalar=4, sliding_window=3, sliding_window_pattern=2,
             hidden_activation="gelu_pytorch_tanh", tie_word_embeddings=True)
    c.update(kw)
    return c


def random_model(cfg, seed=0, std=0.5):
    m = CausalLM(cfg).to(torch.float64).init_weights(seed, std)
    g = torch.Generator().manual_seed(seed + 1)
    with torch.no_grad():  # non-trivial norm weights so (1 + w) vs w matters
        for n, p in m.named_parameters():
            if n.endswith("norm.weight"):
                p.add_(torch.randn(p.shape, generator=g, dtype=torch.float64) * 0.3)
    return m.eval()


class Atoms(unittest.TestCase):
    def test_rmsnorm_known(self):
        x = torch.tensor([3.0, 4.0], dtype=torch.float64)  # mean square 12.5
        n = RMSNorm(2, 0.0, unit_offset=False).double()
        n.weight.data = torch.tensor([2.0, 0.5], dtype=torch.float64)
        np.testing.assert_allclose(n(x).detach().numpy(), [6 / math.sqrt(12.5), 2 / math.sqrt(12.5)], rtol=1e-12)
        g = RMSNorm(2, 0.0, unit_offset=True).double()
        g.weight.data = torch.tensor([1.0, -0.5], dtype=torch.float64)  # (1 + w) = [2, 0.5]
        np.testing.assert_allclose(g(x).detach().numpy(), [6 / math.sqrt(12.5), 2 / math.sqrt(12.5)], rtol=1e-12)

    def test_gelu_tanh_known(self):
        # 0.5 (1 + tanh(sqrt(2/pi) (1 + 0.044715)))
        self.assertAlmostEqual(float(gelu_tanh(torch.tensor(1.0, dtype=torch.float64))), 0.8411919906082768, places=12)
        self.assertAlmostEqual(float(gelu_tanh(torch.tensor(-1.0, dtype=torch.float64))), 0.8411919906082768 - 1, places=12)  # gelu(x) - gelu(-x) = x

    def test_rope_known(self):
        # head_dim 4, theta 100: inv_freq [1, 0.1]; position 2 -> angles [2, 0.2, 2, 0.2]
        cos, sin = rope_cos_sin(100.0, 1.0, 4, 3, torch.float64)
        x = torch.tensor([1.0, 2.0, 3.0, 4.0], dtype=torch.float64)
        got = apply_rope(x, cos[2], sin[2]).numpy()
        c2, s2, c02, s02 = math.cos(2), math.sin(2), math.cos(0.2), math.sin(0.2)
        want = [1 * c2 - 3 * s2, 2 * c02 - 4 * s02, 3 * c2 + 1 * s2, 4 * c02 + 2 * s02]
        np.testing.assert_allclose(got, want, rtol=1e-12)
        np.testing.assert_allclose(apply_rope(x, cos[0], sin[0]).numpy(), x.numpy())  # position 0: identity

    def test_rope_linear_factor_divides_frequencies(self):
        cos, sin = rope_cos_sin(100.0, 4.0, 4, 5, torch.float64)
        ref_cos, _ = rope_cos_sin(100.0, 1.0, 4, 5, torch.float64)
        self.assertAlmostEqual(float(cos[4, 0]), float(ref_cos[1, 0]), places=12)  # 4 / 4 == 1

    def test_sliding_window_mask_known(self):
        # window 3: query q sees keys q-2..q (HF: kv > q - window and kv <= q)
        want = np.array([
            [1, 0, 0, 0, 0],
            [1, 1, 0, 0, 0],
            [1, 1, 1, 0, 0],
            [0, 1, 1, 1, 0],
            [0, 0, 1, 1, 1],
        ], dtype=bool)
        np.testing.assert_array_equal(attention_allowed(5, 3).numpy(), want)
        np.testing.assert_array_equal(attention_allowed(5).numpy(), np.tril(np.ones((5, 5), dtype=bool)))

    def test_layer_types_from_pattern(self):
        s = ArchSpec(gemma3_cfg(num_hidden_layers=7, sliding_window_pattern=3))
        self.assertEqual(s.layer_types, ["sliding_attention", "sliding_attention", "full_attention"] * 2 + ["sliding_attention"])
        s = ArchSpec(gemma3_cfg(num_hidden_layers=2, layer_types=["full_attention", "sliding_attention"]))
        self.assertEqual(s.layer_types, ["full_attention", "sliding_attention"])
        self.assertEqual(s.rope["sliding_attention"][0], 1e4)
        self.assertEqual(s.rope["full_attention"][0], 1e6)
        self.assertAlmostEqual(s.scaling, 0.5)  # query_pre_attn_scalar 4

    def test_rope_parameters_new_style(self):
        s = ArchSpec(gemma3_cfg(rope_parameters={"full_attention": {"rope_type": "linear", "factor": 8.0, "rope_theta": 5e5},
                                                 "sliding_attention": {"rope_type": "default", "rope_theta": 1e3}}))
        self.assertEqual(s.rope, {"full_attention": (5e5, 8.0), "sliding_attention": (1e3, 1.0)})
        o = ArchSpec(olmo2_cfg(rope_parameters={"rope_type": "default", "rope_theta": 5e5}))
        self.assertEqual(o.rope["full_attention"][0], 5e5)

    def test_bad_config_names_field(self):
        with self.assertRaisesRegex(ConfigError, "num_attention_heads"):
            ArchSpec({k: v for k, v in olmo2_cfg().items() if k != "num_attention_heads"})
        with self.assertRaisesRegex(ConfigError, "model_type 'llama'"):
            ArchSpec(olmo2_cfg(model_type="llama"))


class ZeroBlockKnownAnswers(unittest.TestCase):
    """With every projection zero, blocks add nothing (post-norm of 0 is 0), so
    logits = W_U . norm(embedding): hand-computable."""

    def _zero_blocks(self, m):
        with torch.no_grad():
            for n, p in m.named_parameters():
                if "layers." in n and "norm" not in n:
                    p.zero_()

    def test_olmo2(self):
        m = CausalLM(olmo2_cfg(vocab_size=3, hidden_size=2, intermediate_size=2, num_attention_heads=1,
                               num_key_value_heads=1, num_hidden_layers=1, rms_norm_eps=1e-30)).double().init_weights(0)
        self._zero_blocks(m)
        with torch.no_grad():
            m.model.embed_tokens.weight.copy_(torch.tensor([[3.0, 4.0], [1.0, 0.0], [0.0, 2.0]]))
            m.lm_head.weight.copy_(torch.tensor([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]))
            m.model.norm.weight.copy_(torch.tensor([1.0, 2.0]))
        logits = m(torch.tensor([[0]]))[0, 0].detach().numpy()
        r = 1 / math.sqrt(12.5)
        np.testing.assert_allclose(logits, [3 * r, 8 * r, 11 * r], rtol=1e-12)

    def test_gemma3_tied_and_scale_invariant(self):
        m = CausalLM(gemma3_cfg(vocab_size=3, hidden_size=2, intermediate_size=2, num_attention_heads=1,
                                num_key_value_heads=1, head_dim=2, num_hidden_layers=1, rms_norm_eps=1e-30)).double().init_weights(0)
        self._zero_blocks(m)
        with torch.no_grad():
            m.model.embed_tokens.weight.copy_(torch.tensor([[3.0, 4.0], [1.0, 0.0], [0.0, 1.0]]))
            m.model.norm.weight.copy_(torch.tensor([0.0, 1.0]))  # (1 + w) = [1, 2]
        logits = m(torch.tensor([[0]]))[0, 0].detach().numpy()
        r = 1 / math.sqrt(12.5)  # sqrt(d) embedding scale cancels in the norm
        normed = [3 * r, 8 * r]
        np.testing.assert_allclose(logits, [3 * normed[0] + 4 * normed[1], normed[0], normed[1]], rtol=1e-12)


def np_rms(x, w, eps, offset):
    return x / np.sqrt((x * x).mean(-1, keepdims=True) + eps) * ((1.0 + w) if offset else w)


def np_rope(x, theta, pos):
    d = x.shape[-1]
    inv = 1.0 / theta ** (np.arange(0, d, 2) / d)
    ang = np.concatenate([pos * inv, pos * inv])
    rot = np.concatenate([-x[d // 2:], x[: d // 2]])
    return x * np.cos(ang) + rot * np.sin(ang)


def np_forward(m, ids):
    """A second, loop-by-loop numpy forward (one sequence) to check the torch wiring."""
    s = m.spec
    W = {n: p.detach().numpy() for n, p in m.state_dict().items()}
    act = (lambda x: x / (1 + np.exp(-x))) if s.act == "silu" else \
        (lambda x: 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3))))
    # HF stores the Gemma scale as a float32 scalar, so it is sqrt(d) rounded to float32
    h = W["model.embed_tokens.weight"][ids] * (float(np.float32(math.sqrt(s.hidden_size))) if s.gemma else 1.0)
    T = len(ids)
    for li, lt in enumerate(s.layer_types):
        p = f"model.layers.{li}."
        x = np_rms(h, W[p + "input_layernorm.weight"], s.eps, True) if s.gemma else h
        q, k, v = x @ W[p + "self_attn.q_proj.weight"].T, x @ W[p + "self_attn.k_proj.weight"].T, x @ W[p + "self_attn.v_proj.weight"].T
        if not s.gemma:
            q = np_rms(q, W[p + "self_attn.q_norm.weight"], s.eps, False)
            k = np_rms(k, W[p + "self_attn.k_norm.weight"], s.eps, False)
        theta = s.rope[lt][0]
        out = np.zeros((T, s.num_heads * s.head_dim))
        rep = s.num_heads // s.num_kv_heads
        for hd in range(s.num_heads):
            kh = hd // rep
            qs = q[:, hd * s.head_dim:(hd + 1) * s.head_dim]
            ks = k[:, kh * s.head_dim:(kh + 1) * s.head_dim]
            vs = v[:, kh * s.head_dim:(kh + 1) * s.head_dim]
            if s.gemma:
                qs = np_rms(qs, W[p + "self_attn.q_norm.weight"], s.eps, True)
                ks = np_rms(ks, W[p + "self_attn.k_norm.weight"], s.eps, True)
            qs = np.stack([np_rope(qs[t], theta, t) for t in range(T)])
            ks = np.stack([np_rope(ks[t], theta, t) for t in range(T)])
            for t in range(T):
                lo = max(0, t - s.sliding_window + 1) if lt == "sliding_attention" else 0
                sc = np.array([qs[t] @ ks[j] * s.scaling for j in range(lo, t + 1)])
                pr = np.exp(sc - sc.max())
                pr /= pr.sum()
                out[t, hd * s.head_dim:(hd + 1) * s.head_dim] = pr @ vs[lo:t + 1]
        a = out @ W[p + "self_attn.o_proj.weight"].T
        h = h + np_rms(a, W[p + "post_attention_layernorm.weight"], s.eps, s.gemma)
        x = np_rms(h, W[p + "pre_feedforward_layernorm.weight"], s.eps, True) if s.gemma else h
        f = (act(x @ W[p + "mlp.gate_proj.weight"].T) * (x @ W[p + "mlp.up_proj.weight"].T)) @ W[p + "mlp.down_proj.weight"].T
        h = h + np_rms(f, W[p + "post_feedforward_layernorm.weight"], s.eps, s.gemma)
    h = np_rms(h, W["model.norm.weight"], s.eps, s.gemma)
    wu = W["model.embed_tokens.weight"] if s.tie else W["lm_head.weight"]
    return h @ wu.T


class ForwardAgainstNumpy(unittest.TestCase):
    ids = [1, 5, 2, 9, 0, 3, 7]

    def check(self, cfg):
        m = random_model(cfg)
        got = m(torch.tensor([self.ids]))[0].detach().numpy()
        np.testing.assert_allclose(got, np_forward(m, self.ids), atol=1e-10, rtol=1e-9)

    def test_olmo2(self):
        self.check(olmo2_cfg())

    def test_olmo2_gqa(self):
        self.check(olmo2_cfg(num_attention_heads=4, num_key_value_heads=2, hidden_size=8))

    def test_gemma3_sliding_and_global(self):
        self.check(gemma3_cfg(num_hidden_layers=3, sliding_window_pattern=2))


class MaskSemantics(unittest.TestCase):
    def test_causal(self):
        m = random_model(olmo2_cfg())
        a = m(torch.tensor([[1, 2, 3, 4]])).detach()
        b = m(torch.tensor([[1, 2, 3, 8]])).detach()
        self.assertTrue(torch.allclose(a[0, :3], b[0, :3]))
        self.assertFalse(torch.allclose(a[0, 3], b[0, 3]))

    def test_sliding_window_reach(self):
        # one sliding layer with window 3: token 0 reaches positions 0..2 only
        m = random_model(gemma3_cfg(num_hidden_layers=1, layer_types=["sliding_attention"], sliding_window=3))
        a = m(torch.tensor([[1, 2, 3, 4, 5, 6]])).detach()
        b = m(torch.tensor([[7, 2, 3, 4, 5, 6]])).detach()
        diff = (a - b).abs().amax(-1)[0]
        self.assertTrue(bool((diff[:3] > 1e-9).all()), diff)
        self.assertTrue(bool((diff[3:] == 0).all()), diff)


class PaddingRow(unittest.TestCase):
    def test_pad_row_gets_no_lookup_gradient(self):
        # HF builds nn.Embedding(vocab, d, padding_idx=pad_token_id)
        m = random_model(olmo2_cfg(pad_token_id=0))
        m(torch.tensor([[0, 3, 0, 4]])).sum().backward()
        g = m.model.embed_tokens.weight.grad
        self.assertEqual(float(g[0].abs().sum()), 0.0)
        self.assertGreater(float(g[3].abs().sum()), 0.0)
        self.assertEqual(ArchSpec(olmo2_cfg()).pad_token_id, 1)  # Olmo2Config default
        self.assertEqual(ArchSpec(gemma3_cfg()).pad_token_id, 0)  # Gemma3TextConfig default
        self.assertIsNone(ArchSpec(olmo2_cfg(pad_token_id=None)).pad_token_id)
        init = CausalLM(olmo2_cfg(pad_token_id=2)).init_weights(0)
        self.assertEqual(float(init.model.embed_tokens.weight[2].abs().sum()), 0.0)


class CheckpointIO(unittest.TestCase):
    def test_safetensors_roundtrip_and_bf16(self):
        with tempfile.TemporaryDirectory() as d:
            p = os.path.join(d, "t.safetensors")
            t = {"a": np.arange(6, dtype=np.float32).reshape(2, 3), "b": np.array([7], dtype=np.int32)}
            write_safetensors(p, t)
            back = read_safetensors(p)
            np.testing.assert_array_equal(back["a"], t["a"])
            np.testing.assert_array_equal(back["b"], t["b"])
            # hand-made BF16 file: 1.0 = 0x3F80, -2.5 = 0xC020
            head = json.dumps({"x": {"dtype": "BF16", "shape": [2], "data_offsets": [0, 4]}}).encode()
            with open(p, "wb") as f:
                f.write(struct.pack("<Q", len(head)) + head + struct.pack("<HH", 0x3F80, 0xC020))
            np.testing.assert_array_equal(read_safetensors(p)["x"], np.array([1.0, -2.5], dtype=np.float32))

    def test_save_load_and_missing_tensor(self):
        for cfg in (olmo2_cfg(), gemma3_cfg()):
            m = random_model(cfg).float()
            with tempfile.TemporaryDirectory() as d:
                save_checkpoint(m, d)
                m2 = load_checkpoint(d)
                ids = torch.tensor([[1, 2, 3]])
                self.assertTrue(torch.equal(m(ids), m2(ids)))
                names = set(read_safetensors(os.path.join(d, "model.safetensors")))
                self.assertEqual("lm_head.weight" in names, cfg["model_type"] == "olmo2")
                t = read_safetensors(os.path.join(d, "model.safetensors"))
                del t["model.layers.1.mlp.up_proj.weight"]
                write_safetensors(os.path.join(d, "model.safetensors"), t)
                with self.assertRaisesRegex(ConfigError, "model.layers.1.mlp.up_proj.weight"):
                    load_checkpoint(d)


class MakeHfDir(unittest.TestCase):
    def test_bf16_bits_round_to_nearest_even(self):
        # 1 + 2^-8 lies halfway between bf16 1.0 and 1 + 2^-7: ties go to the even 1.0 (0x3F80);
        # 1 + 3 * 2^-8 is halfway between 1 + 2^-7 (0x3F81) and 1 + 2^-6 (0x3F82): to 0x3F82
        x = np.array([1.0, 1 + 2 ** -8, 1 + 3 * 2 ** -8, -2.5], dtype=np.float32)
        self.assertEqual(bf16_bits(x).tolist(), [0x3F80, 0x3F80, 0x3F82, 0xC020])

    def test_shards_and_dtypes_load_back_to_the_same_model(self):
        cfg = gemma3_cfg(num_hidden_layers=3)
        with tempfile.TemporaryDirectory() as d:
            cfg_file = os.path.join(d, "c.json")
            json.dump(cfg, open(cfg_file, "w"))
            outs = {}
            for label, dtype, shards in (("f32", "float32", 1), ("bf16", "bfloat16", 1), ("bf16x3", "bfloat16", 3), ("f16x2", "float16", 2)):
                out = os.path.join(d, label)
                cli = [sys.executable, os.path.join(HERE, "make_hf_dir.py"), "--config", cfg_file, "--out", out, "--seed", "4", "--dtype", dtype, "--shards", str(shards)]
                r = subprocess.run(cli, capture_output=True, text=True)
                self.assertEqual(r.returncode, 0, r.stderr)
                files = sorted(f for f in os.listdir(out) if f.endswith(".safetensors"))
                self.assertEqual(len(files), shards)
                if shards > 1:
                    self.assertEqual(files[0], f"model-00001-of-{shards:05d}.safetensors")
                    index = json.load(open(os.path.join(out, "model.safetensors.index.json")))
                    self.assertEqual(set(index["weight_map"].values()), set(files))
                outs[label] = load_checkpoint(out, torch.float64)
            ids = torch.tensor([[1, 2, 3, 4, 5]])
            with torch.no_grad():
                f32, bf16, bf16x3, f16 = (outs[k](ids) for k in ("f32", "bf16", "bf16x3", "f16x2"))
            self.assertTrue(torch.equal(bf16, bf16x3))  # sharding moves no value
            self.assertLess(float((bf16 - f32).abs().max()), 0.5)  # rounded weights, same model
            self.assertGreater(float((bf16 - f32).abs().max()), 0.0)
            self.assertLess(float((f16 - f32).abs().max()), 0.05)
            state = outs["bf16"].state_dict()
            for name, t in state.items():  # every weight is a bf16 value
                self.assertTrue(torch.equal(t.to(torch.bfloat16).to(torch.float64), t), name)


class CheckParityCli(unittest.TestCase):
    def run_cli(self, *args):
        r = subprocess.run([sys.executable, os.path.join(HERE, "check_parity.py"), *args], capture_output=True, text=True)
        return r.returncode, r.stdout, r.stderr

    def test_pass_fail_and_last_logits(self):
        m = random_model(gemma3_cfg()).float()
        with tempfile.TemporaryDirectory() as d:
            save_checkpoint(m, d)
            code, out, err = self.run_cli("--checkpoint", d, "--ids", "1 2 3 4")
            self.assertEqual(code, 0, err)
            doc = json.loads(out)
            f = os.path.join(d, "fwd.json")
            json.dump(doc, open(f, "w"))
            code, out, _ = self.run_cli("--checkpoint", d, "--ids-json", f, "--json")
            self.assertEqual(code, 0)
            self.assertEqual(json.loads(out)["max_abs_diff"], 0.0)
            doc["logits"][2][5] += 1e-3
            json.dump(doc, open(f, "w"))
            code, out, _ = self.run_cli("--checkpoint", d, "--ids-json", f, "--json")
            self.assertEqual(code, 1)
            self.assertAlmostEqual(json.loads(out)["max_abs_diff"], 1e-3, places=6)
            self.assertEqual(json.loads(out)["worst_at"]["position"], 2)
            json.dump({"ids": doc["ids"], "last_logits": doc["logits"][-1]}, open(f, "w"))
            code, _, _ = self.run_cli("--checkpoint", d, "--ids-json", f)
            self.assertEqual(code, 0)
            json.dump({"ids": [1, 2, 99]}, open(f, "w"))
            code, _, err = self.run_cli("--checkpoint", d, "--ids-json", f)
            self.assertEqual(code, 2)
            self.assertIn("outside the vocabulary", err)

    def test_check_grads_pass_and_fail(self):
        m = random_model(olmo2_cfg()).float()
        with tempfile.TemporaryDirectory() as d:
            save_checkpoint(m, d)
            ref = load_checkpoint(d, torch.float64).train()
            ids, targets = [[1, 2, 3, 4]], [[2, 3, 4, 5]]
            weights = [[0.0, 1.0, 1.0, 1.0]]
            logp = torch.log_softmax(ref(torch.tensor(ids)), -1)
            tok = logp.gather(-1, torch.tensor(targets).unsqueeze(-1)).squeeze(-1)
            loss = -(tok * torch.tensor(weights, dtype=torch.float64)).sum() / 3.0
            loss.backward()
            grads = {n: p.grad.flatten().tolist() for n, p in ref.named_parameters()}
            f = os.path.join(d, "g.json")
            doc = {"ids": ids, "targets": targets, "weights": weights, "loss": float(loss), "grads": grads}
            json.dump(doc, open(f, "w"))
            cli = [sys.executable, os.path.join(HERE, "check_grads.py"), "--checkpoint", d, "--grads-json", f, "--json"]
            r = subprocess.run(cli, capture_output=True, text=True)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertLess(json.loads(r.stdout)["max_grad_diff"], 1e-6)  # float32 checkpoint, same weights
            doc["grads"]["model.layers.0.mlp.up_proj.weight"][3] += 1e-2
            json.dump(doc, open(f, "w"))
            r = subprocess.run(cli, capture_output=True, text=True)
            self.assertEqual(r.returncode, 1)
            self.assertEqual(json.loads(r.stdout)["failing"], ["model.layers.0.mlp.up_proj.weight"])


if __name__ == "__main__":
    unittest.main()
