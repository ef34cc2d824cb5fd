"""An independent PyTorch implementation of Hugging Face `Olmo2ForCausalLM` and
`Gemma3ForCausalLM` (text only), written from the published HF definitions so
that molt's TypeScript models can be checked against a second implementation
(logit parity) and timed against PyTorch (perf baseline).

Module attribute names mirror HF, so `state_dict()` keys are the HF tensor
names (model.layers.0.self_attn.q_proj.weight, ...), all [out, in].

Facts encoded here (HF transformers, modeling_olmo2.py / modeling_gemma3.py,
masking_utils.py):
- OLMo2: no pre-norms. h = h + post_attention_layernorm(attn(h)); h = h +
  post_feedforward_layernorm(mlp(h)). q_norm / k_norm are RMSNorms over the
  whole projection width (heads * head_dim), applied BEFORE the head reshape.
  RMSNorm multiplies by w. SwiGLU (silu). Untied lm_head unless the config ties.
- Gemma3: four norms per block (input, post_attention, pre_feedforward,
  post_feedforward), RMSNorm multiplies by (1 + w); per-head q_norm / k_norm
  after the reshape; GeGLU with tanh GELU; embeddings * sqrt(hidden_size);
  tied embeddings; GQA; scores scaled by query_pre_attn_scalar^-0.5; sliding
  layers see keys with q - window < k <= q and use rope_local_base_freq, full
  layers use rope_theta.
- RoPE: rotate_half convention (first half / second half of head_dim), inv_freq
  = theta^(-2i/d), positions 0..T-1.

forward(ids, cache=model.new_cache()) decodes incrementally with a KV cache (the
perf generation benchmark, benchmarks/perf/torch_generate.py); without a cache
it is the plain full forward the parity checks use.
"""
import json
import math
import os

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from safetensors_io import read_safetensors, write_safetensors

SUPPORTED_MODEL_TYPES = ("olmo2", "gemma3_text")


class ConfigError(ValueError):
    pass


# ---------------------------------------------------------------- building blocks


def gelu_tanh(x):
    # HF "gelu_pytorch_tanh"; written out so torch versions cannot disagree.
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x * x * x)))


ACTIVATIONS = {
    "silu": F.silu,
    "swish": F.silu,
    "gelu_pytorch_tanh": gelu_tanh,
    "gelu_new": gelu_tanh,
    "gelu": F.gelu,
}


class RMSNorm(nn.Module):
    """x / sqrt(mean(x^2) + eps) * w (OLMo2) or * (1 + w) (Gemma3, weights start at 0)."""

    def __init__(self, dim, eps, unit_offset):
        super().__init__()
        self.eps = eps
        self.unit_offset = unit_offset
        self.weight = nn.Parameter(torch.zeros(dim) if unit_offset else torch.ones(dim))

    def forward(self, x):
        normed = x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps)
        scale = 1.0 + self.weight if self.unit_offset else self.weight
        return normed * scale


def rope_cos_sin(theta, factor, head_dim, seq_len, dtype):
    """cos, sin of shape [T, head_dim] for positions 0..T-1. Like HF, the angles are
    computed in float32 (HF forces float32 there) unless we run in float64."""
    work = torch.float64 if dtype == torch.float64 else torch.float32
    inv_freq = 1.0 / (theta ** (torch.arange(0, head_dim, 2, dtype=torch.int64).to(work) / head_dim))
    inv_freq = inv_freq / factor  # 'linear' rope scaling; factor 1 for 'default'
    freqs = torch.outer(torch.arange(seq_len, dtype=work), inv_freq)
    emb = torch.cat([freqs, freqs], dim=-1)
    return emb.cos().to(dtype), emb.sin().to(dtype)


def rotate_half(x):
    half = x.shape[-1] // 2
    return torch.cat([-x[..., half:], x[..., :half]], dim=-1)


def apply_rope(x, cos, sin):
    """x [B, H, T, D]; cos/sin [T, D]."""
    return x * cos + rotate_half(x) * sin


def attention_allowed(seq_len, sliding_window=None):
    """Boolean [T, T] (query, key): causal, and within the window for sliding layers
    (HF masking_utils: kv_idx <= q_idx and kv_idx > q_idx - sliding_window)."""
    q = torch.arange(seq_len)[:, None]
    k = torch.arange(seq_len)[None, :]
    allowed = k <= q
    if sliding_window is not None:
        allowed = allowed & (k > q - sliding_window)
    return allowed


def attention_allowed_at(q_start, q_len, k_start, k_len, sliding_window=None):
    """Like attention_allowed, for queries at absolute positions q_start.. and keys at
    k_start.. (incremental decoding, where the cache holds the earlier keys)."""
    q = torch.arange(q_start, q_start + q_len)[:, None]
    k = torch.arange(k_start, k_start + k_len)[None, :]
    allowed = k <= q
    if sliding_window is not None:
        allowed = allowed & (k > q - sliding_window)
    return allowed


class LayerCache:
    """One layer's keys and values for incremental decoding, [B, KV, S, D], after
    RoPE and before repeat_kv. A sliding layer keeps only its last `window` keys:
    no later query can see older ones (molt's KvCache trims the same way)."""

    def __init__(self, window=None):
        self.window = window
        self.k = None
        self.v = None
        self.start = 0  # absolute position of the first stored key
        self.length = 0  # tokens seen so far = absolute position of the next one

    def append(self, k, v):
        """Store the new keys/values; return every key the new queries may attend to,
        its absolute start position, and the new queries' first position."""
        q_start, k_start, new = self.length, self.start, k.shape[2]
        if self.k is not None:
            k = torch.cat([self.k, k], dim=2)
            v = torch.cat([self.v, v], dim=2)
        s = k.shape[2]
        keep = self.window if self.window is not None and s > self.window else s
        self.k, self.v = k[:, :, s - keep:], v[:, :, s - keep:]
        self.start = k_start + s - keep
        self.length = q_start + new
        return k, v, k_start, q_start


class KVCache:
    """Per-layer LayerCache for CausalLM.forward(ids, cache=...): call forward with
    the prompt first, then one (or more) new tokens at a time."""

    def __init__(self, spec):
        self.layers = [LayerCache(spec.sliding_window if t == "sliding_attention" else None) for t in spec.layer_types]

    @property
    def length(self):
        return self.layers[0].length if self.layers else 0


# ---------------------------------------------------------------- config reading


def _need(cfg, field, where):
    if field not in cfg or cfg[field] is None:
        raise ConfigError(f"{where}: config.json field '{field}' is missing")
    return cfg[field]


class ArchSpec:
    """Everything the forward pass needs, read from an HF config.json dict."""

    def __init__(self, cfg, where="config.json"):
        mt = _need(cfg, "model_type", where)
        if mt not in SUPPORTED_MODEL_TYPES:
            raise ConfigError(f"{where}: model_type '{mt}' not supported (expected one of {SUPPORTED_MODEL_TYPES})")
        self.model_type = mt
        self.gemma = mt == "gemma3_text"
        self.vocab_size = int(_need(cfg, "vocab_size", where))
        self.hidden_size = int(_need(cfg, "hidden_size", where))
        self.intermediate_size = int(_need(cfg, "intermediate_size", where))
        self.num_layers = int(_need(cfg, "num_hidden_layers", where))
        self.num_heads = int(_need(cfg, "num_attention_heads", where))
        self.num_kv_heads = int(cfg.get("num_key_value_heads") or self.num_heads)
        if self.num_heads % self.num_kv_heads:
            raise ConfigError(f"{where}: num_attention_heads {self.num_heads} not a multiple of num_key_value_heads {self.num_kv_heads}")
        self.head_dim = int(cfg.get("head_dim") or self.hidden_size // self.num_heads)
        self.eps = float(cfg.get("rms_norm_eps", 1e-6 if self.gemma else 1e-5))
        self.attention_bias = bool(cfg.get("attention_bias", False))
        act = cfg.get("hidden_activation") or cfg.get("hidden_act") or ("gelu_pytorch_tanh" if self.gemma else "silu")
        if act not in ACTIVATIONS:
            raise ConfigError(f"{where}: activation '{act}' not supported ({sorted(ACTIVATIONS)})")
        self.act = act
        self.tie = bool(cfg.get("tie_word_embeddings", self.gemma))
        # nn.Embedding(padding_idx=pad_token_id) as HF builds it: the pad row gets no
        # gradient through the lookup. Defaults are the HF config classes' (Olmo2 1, Gemma3 0).
        pad = cfg.get("pad_token_id", 0 if self.gemma else 1)
        self.pad_token_id = int(pad) if pad is not None and 0 <= int(pad) < self.vocab_size else None
        if self.gemma:
            self._read_gemma(cfg, where)
        else:
            self._read_olmo2(cfg, where)

    def _read_olmo2(self, cfg, where):
        rp = cfg.get("rope_parameters") or {}
        theta = rp.get("rope_theta", cfg.get("rope_theta", 10000.0))
        self._check_rope_type(rp.get("rope_type") or (cfg.get("rope_scaling") or {}).get("rope_type") or "default", where)
        self.layer_types = ["full_attention"] * self.num_layers
        self.scaling = self.head_dim ** -0.5
        self.sliding_window = None
        self.rope = {"full_attention": (float(theta), 1.0)}
        self.final_softcap = None
        self.attn_softcap = None

    def _read_gemma(self, cfg, where):
        if cfg.get("use_bidirectional_attention"):
            raise ConfigError(f"{where}: use_bidirectional_attention is not supported")
        types = cfg.get("layer_types")
        if types is None:
            # HF's backward-compatible rule: every pattern-th layer (1-based) is global.
            pattern = int(cfg.get("sliding_window_pattern") or 6)
            types = ["sliding_attention" if (i + 1) % pattern else "full_attention" for i in range(self.num_layers)]
        if len(types) != self.num_layers or any(t not in ("sliding_attention", "full_attention") for t in types):
            raise ConfigError(f"{where}: layer_types must list {self.num_layers} of sliding_attention/full_attention, got {types}")
        self.layer_types = list(types)
        self.sliding_window = int(_need(cfg, "sliding_window", where)) if "sliding_attention" in types else None
        self.scaling = float(cfg.get("query_pre_attn_scalar", self.head_dim)) ** -0.5
        self.final_softcap = cfg.get("final_logit_softcapping")
        self.attn_softcap = cfg.get("attn_logit_softcapping")
        rp = cfg.get("rope_parameters")
        if isinstance(rp, dict) and ("full_attention" in rp or "sliding_attention" in rp):
            # transformers >= 4.57 style: one rope dict per layer type
            self.rope = {}
            for t in ("full_attention", "sliding_attention"):
                p = rp.get(t) or {}
                rtype = p.get("rope_type", "default")
                self._check_rope_type(rtype, where)
                default_theta = 1_000_000.0 if t == "full_attention" else 10_000.0
                factor = float(p.get("factor", 1.0)) if rtype == "linear" else 1.0
                self.rope[t] = (float(p.get("rope_theta", default_theta)), factor)
        else:
            # older style: rope_theta (+ rope_scaling) for global layers, rope_local_base_freq for local ones
            scaling = cfg.get("rope_scaling") or {}
            rtype = scaling.get("rope_type") or scaling.get("type") or "default"
            self._check_rope_type(rtype, where)
            factor = float(scaling.get("factor", 1.0)) if rtype == "linear" else 1.0
            self.rope = {
                "full_attention": (float(cfg.get("rope_theta", 1_000_000.0)), factor),
                "sliding_attention": (float(cfg.get("rope_local_base_freq", 10_000.0)), 1.0),
            }

    @staticmethod
    def _check_rope_type(rtype, where):
        if rtype not in ("default", "linear"):
            raise ConfigError(f"{where}: rope_type '{rtype}' not supported (default, linear)")


# ---------------------------------------------------------------- modules (HF names)


class Attention(nn.Module):
    def __init__(self, spec: ArchSpec, layer_type: str):
        super().__init__()
        self.spec = spec
        self.layer_type = layer_type
        d, h, kv, hd = spec.hidden_size, spec.num_heads, spec.num_kv_heads, spec.head_dim
        self.q_proj = nn.Linear(d, h * hd, bias=spec.attention_bias)
        self.k_proj = nn.Linear(d, kv * hd, bias=spec.attention_bias)
        self.v_proj = nn.Linear(d, kv * hd, bias=spec.attention_bias)
        self.o_proj = nn.Linear(h * hd, d, bias=spec.attention_bias)
        if spec.gemma:
            self.q_norm = RMSNorm(hd, spec.eps, unit_offset=True)
            self.k_norm = RMSNorm(hd, spec.eps, unit_offset=True)
        else:
            self.q_norm = RMSNorm(h * hd, spec.eps, unit_offset=False)
            self.k_norm = RMSNorm(kv * hd, spec.eps, unit_offset=False)

    def forward(self, x, cos, sin, allowed, cache=None):
        """cache: this layer's LayerCache when decoding incrementally; `allowed` is then
        built here, from the absolute positions of the new queries and the cached keys."""
        s = self.spec
        b, t, _ = x.shape
        q, k, v = self.q_proj(x), self.k_proj(x), self.v_proj(x)
        if not s.gemma:
            q, k = self.q_norm(q), self.k_norm(k)  # OLMo2: over the full width, before the reshape
        q = q.view(b, t, s.num_heads, s.head_dim).transpose(1, 2)
        k = k.view(b, t, s.num_kv_heads, s.head_dim).transpose(1, 2)
        v = v.view(b, t, s.num_kv_heads, s.head_dim).transpose(1, 2)
        if s.gemma:
            q, k = self.q_norm(q), self.k_norm(k)  # Gemma3: per head
        q, k = apply_rope(q, cos, sin), apply_rope(k, cos, sin)
        if cache is not None:
            k, v, k_start, q_start = cache.append(k, v)
            allowed = attention_allowed_at(q_start, t, k_start, k.shape[2], cache.window)
        rep = s.num_heads // s.num_kv_heads
        if rep > 1:
            # query head i reads kv head i // rep (HF repeat_kv)
            k = k.repeat_interleave(rep, dim=1)
            v = v.repeat_interleave(rep, dim=1)
        scores = torch.matmul(q, k.transpose(-1, -2)) * s.scaling
        if s.attn_softcap is not None:
            scores = torch.tanh(scores / s.attn_softcap) * s.attn_softcap
        scores = scores.masked_fill(~allowed, float("-inf"))
        probs = torch.softmax(scores, dim=-1)
        out = torch.matmul(probs, v).transpose(1, 2).reshape(b, t, s.num_heads * s.head_dim)
        return self.o_proj(out)


class MLP(nn.Module):
    def __init__(self, spec: ArchSpec):
        super().__init__()
        self.gate_proj = nn.Linear(spec.hidden_size, spec.intermediate_size, bias=False)
        self.up_proj = nn.Linear(spec.hidden_size, spec.intermediate_size, bias=False)
        self.down_proj = nn.Linear(spec.intermediate_size, spec.hidden_size, bias=False)
        self.act = ACTIVATIONS[spec.act]

    def forward(self, x):
        return self.down_proj(self.act(self.gate_proj(x)) * self.up_proj(x))


class DecoderLayer(nn.Module):
    def __init__(self, spec: ArchSpec, layer_type: str):
        super().__init__()
        self.gemma = spec.gemma
        self.self_attn = Attention(spec, layer_type)
        self.mlp = MLP(spec)
        off = spec.gemma
        if spec.gemma:
            self.input_layernorm = RMSNorm(spec.hidden_size, spec.eps, off)
            self.pre_feedforward_layernorm = RMSNorm(spec.hidden_size, spec.eps, off)
        self.post_attention_layernorm = RMSNorm(spec.hidden_size, spec.eps, off)
        self.post_feedforward_layernorm = RMSNorm(spec.hidden_size, spec.eps, off)

    def forward(self, h, cos, sin, allowed, cache=None):
        if self.gemma:
            h = h + self.post_attention_layernorm(self.self_attn(self.input_layernorm(h), cos, sin, allowed, cache))
            return h + self.post_feedforward_layernorm(self.mlp(self.pre_feedforward_layernorm(h)))
        h = h + self.post_attention_layernorm(self.self_attn(h, cos, sin, allowed, cache))
        return h + self.post_feedforward_layernorm(self.mlp(h))


class DecoderModel(nn.Module):
    def __init__(self, spec: ArchSpec):
        super().__init__()
        self.embed_tokens = nn.Embedding(spec.vocab_size, spec.hidden_size, padding_idx=spec.pad_token_id)
        self.layers = nn.ModuleList([DecoderLayer(spec, t) for t in spec.layer_types])
        self.norm = RMSNorm(spec.hidden_size, spec.eps, spec.gemma)


class CausalLM(nn.Module):
    """HF-named causal LM for olmo2 / gemma3_text; forward(ids [B, T]) -> logits [B, T, V]."""

    def __init__(self, cfg: dict, where="config.json"):
        super().__init__()
        self.config = dict(cfg)
        self.spec = ArchSpec(cfg, where)
        self.model = DecoderModel(self.spec)
        if not self.spec.tie:
            self.lm_head = nn.Linear(self.spec.hidden_size, self.spec.vocab_size, bias=False)

    def unembed_weight(self):
        return self.model.embed_tokens.weight if self.spec.tie else self.lm_head.weight

    def forward(self, ids, return_hidden=False, cache=None, last_only=False):
        """cache: a KVCache (new_cache()) to decode incrementally: ids are the tokens
        after the cached ones (prompt first, then one token per step; no padding).
        last_only: logits of the last position only, [B, 1, V] (what sampling and
        activation collection need; molt's lastOnly)."""
        s = self.spec
        t = ids.shape[1]
        past = cache.length if cache is not None else 0
        h = self.model.embed_tokens(ids)
        dtype = h.dtype
        if s.gemma:
            # HF keeps the scale as a float32 tensor, cast to the weight dtype
            h = h * torch.tensor(s.hidden_size ** 0.5, dtype=torch.float32).to(dtype)
        rope = {}
        for lt, (theta, factor) in s.rope.items():
            cos, sin = rope_cos_sin(theta, factor, s.head_dim, past + t, dtype)
            rope[lt] = (cos[past:], sin[past:])  # positions past .. past + t - 1
        masks = {
            "full_attention": attention_allowed(t),
            "sliding_attention": attention_allowed(t, s.sliding_window),
        } if cache is None else {}
        hidden = [h]
        for i, layer in enumerate(self.model.layers):
            lt = layer.self_attn.layer_type
            cos, sin = rope[lt]
            h = layer(h, cos, sin, masks.get(lt), None if cache is None else cache.layers[i])
            hidden.append(h)
        if last_only:
            h = h[:, -1:]
        logits = F.linear(self.model.norm(h), self.unembed_weight())
        if s.final_softcap is not None:
            logits = torch.tanh(logits / s.final_softcap) * s.final_softcap
        return (logits, hidden) if return_hidden else logits

    def new_cache(self):
        return KVCache(self.spec)

    def init_weights(self, seed=0, std=0.02):
        """Random init like HF _init_weights: normal(0, std) for matrices, the padding
        row of the embedding zeroed, norms at identity."""
        g = torch.Generator().manual_seed(seed)
        with torch.no_grad():
            for name, p in self.named_parameters():
                if name.endswith("norm.weight"):
                    p.fill_(0.0 if self.spec.gemma else 1.0)
                elif name.endswith(".bias"):
                    p.zero_()
                else:
                    p.copy_(torch.randn(p.shape, generator=g, dtype=torch.float64).to(p.dtype) * std)
            if self.spec.pad_token_id is not None:
                self.model.embed_tokens.weight[self.spec.pad_token_id].zero_()
        return self


# ---------------------------------------------------------------- checkpoint I/O


def hf_tensor_names(model: CausalLM):
    return list(model.state_dict().keys())


def read_weights(ckpt_dir):
    """name -> numpy array from model.safetensors, or from the shards that
    model.safetensors.index.json maps ({"weight_map": {name: shard file}})."""
    single = os.path.join(ckpt_dir, "model.safetensors")
    index = os.path.join(ckpt_dir, "model.safetensors.index.json")
    if os.path.isfile(single):
        return read_safetensors(single), single
    if not os.path.isfile(index):
        raise ConfigError(f"{single}: not found (nor {os.path.basename(index)})")
    with open(index) as f:
        weight_map = json.load(f).get("weight_map")
    if not isinstance(weight_map, dict) or not weight_map:
        raise ConfigError(f"{index}: 'weight_map' must map tensor names to shard files")
    tensors = {}
    for shard in sorted(set(weight_map.values())):
        held = read_safetensors(os.path.join(ckpt_dir, shard))
        wanted = {n for n, f in weight_map.items() if f == shard}
        if set(held) != wanted:
            raise ConfigError(f"{index}: shard {shard} holds {sorted(set(held) ^ wanted)[:3]} unlike the weight_map")
        tensors.update(held)
    return tensors, index


def load_checkpoint(ckpt_dir, dtype=torch.float32) -> CausalLM:
    """Load an HF-layout directory (config.json + model.safetensors, or shards
    with model.safetensors.index.json). Every expected tensor must be present
    with the right shape; unknown tensors are an error."""
    cfg_path = os.path.join(ckpt_dir, "config.json")
    if not os.path.isfile(cfg_path):
        raise ConfigError(f"{cfg_path}: not found")
    with open(cfg_path) as f:
        cfg = json.load(f)
    model = CausalLM(cfg, where=cfg_path)
    tensors, st_path = read_weights(ckpt_dir)
    expected = model.state_dict()
    missing = [n for n in expected if n not in tensors]
    extra = [n for n in tensors if n not in expected]
    if model.spec.tie and "lm_head.weight" in extra:
        # a tied checkpoint may still carry lm_head; HF ties it to the embedding
        if not np.array_equal(tensors["lm_head.weight"], tensors.get("model.embed_tokens.weight")):
            raise ConfigError(f"{st_path}: lm_head.weight differs from model.embed_tokens.weight but the config ties them")
        extra.remove("lm_head.weight")
    if missing or extra:
        raise ConfigError(f"{st_path}: tensor names do not match {model.spec.model_type}: missing {missing}, unexpected {extra}")
    state = {}
    for name, ref in expected.items():
        arr = tensors[name]
        if tuple(arr.shape) != tuple(ref.shape):
            raise ConfigError(f"{st_path}: tensor '{name}' has shape {list(arr.shape)}, config implies {list(ref.shape)}")
        state[name] = torch.from_numpy(np.asarray(arr, dtype=np.float64))
    model.load_state_dict(state)
    return model.to(dtype).eval()


def save_checkpoint(model: CausalLM, ckpt_dir):
    """Write config.json + model.safetensors (float32) in HF layout."""
    os.makedirs(ckpt_dir, exist_ok=True)
    with open(os.path.join(ckpt_dir, "config.json"), "w") as f:
        json.dump(model.config, f, indent=2)
    tensors = {n: t.detach().to(torch.float32).numpy() for n, t in model.state_dict().items()}
    write_safetensors(os.path.join(ckpt_dir, "model.safetensors"), tensors, {"format": "pt"})
