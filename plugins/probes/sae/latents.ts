// Ranking SAE latents by how much more they fire on the organism, and
// describing a latent by tokens: its decoder direction through the final
// norm and unembedding (logit lens), and the tokens it fires on most.
import { tf, type Activations, type CausalLM, type TextTokenizer } from '../../../core/public';
import type { TopKSae } from './sae';

/** latent activations of an activation set, [n, dSae] row-major */
export function encodeAll(sae: TopKSae, acts: Activations, chunk = 1024): Float32Array {
  const m = sae.config.dSae;
  const out = new Float32Array(acts.n * m);
  for (let s = 0; s < acts.n; s += chunk) {
    const e = Math.min(acts.n, s + chunk);
    const z = tf.tidy(() => sae.encode(tf.tensor2d(acts.x.subarray(s * acts.d, e * acts.d), [e - s, acts.d])));
    out.set(z.dataSync() as Float32Array, s * m);
    z.dispose();
  }
  return out;
}

export interface LatentScore {
  latent: number;
  /** (mean on MO - mean on base) * log(1 / density) */
  score: number;
  meanMo: number;
  meanBase: number;
  /** share of tokens (MO and base together) it is active on */
  density: number;
}

function columnMeans(z: Float32Array, m: number): Float64Array {
  const n = z.length / m;
  const out = new Float64Array(m);
  for (let t = 0; t < n; t++) for (let i = 0; i < m; i++) out[i] += z[t * m + i];
  for (let i = 0; i < m; i++) out[i] /= Math.max(1, n);
  return out;
}

/**
 * Latent scores, best first. A latent never active on either set has
 * density 0 and both means 0: it scores 0 (not 0 * infinity).
 */
export function scoreLatents(zMo: Float32Array, zBase: Float32Array, m: number): LatentScore[] {
  const mo = columnMeans(zMo, m);
  const base = columnMeans(zBase, m);
  const n = zMo.length / m + zBase.length / m;
  const active = new Float64Array(m);
  for (const z of [zMo, zBase]) for (let j = 0; j < z.length; j++) if (z[j] > 0) active[j % m]++;
  const out: LatentScore[] = [];
  for (let i = 0; i < m; i++) {
    const density = active[i] / n;
    const score = density > 0 ? (mo[i] - base[i]) * Math.log(1 / density) : 0;
    out.push({ latent: i, score, meanMo: mo[i], meanBase: base[i], density });
  }
  return out.sort((a, b) => b.score - a.score || a.latent - b.latent);
}

/** Top tokens (by logit) of FinalNorm(decoder row) through the unembedding; special tokens skipped. */
export function decoderTokens(model: CausalLM, sae: TopKSae, latent: number, tok: TextTokenizer, count: number): { token: string; id: number; logit: number }[] {
  const logits = tf.tidy(() => {
    const row = tf.slice(sae.wDec, [latent, 0], [1, -1]);
    return model.unembed(model.finalNorm(tf.reshape(row, [1, 1, sae.config.dIn]))).reshape([-1]);
  });
  const v = logits.dataSync() as Float32Array;
  logits.dispose();
  const order = Array.from(v.keys())
    .filter((id) => id < tok.size && !tok.isSpecial(id))
    .sort((a, b) => v[b] - v[a]);
  return order.slice(0, count).map((id) => ({ token: tok.tokenOf(id) ?? `<${id}>`, id, logit: v[id] }));
}

/** The distinct tokens at which the latent's activation is largest (by each token's maximum), special tokens skipped. */
export function topActivatingTokens(z: Float32Array, m: number, tokens: Int32Array, latent: number, tok: TextTokenizer, count: number): { token: string; id: number; activation: number }[] {
  const best = new Map<number, number>();
  for (let t = 0; t < tokens.length; t++) {
    const a = z[t * m + latent];
    if (!(a > 0) || tok.isSpecial(tokens[t])) continue;
    if (a > (best.get(tokens[t]) ?? 0)) best.set(tokens[t], a);
  }
  return [...best.entries()]
    .sort((a, b) => b[1] - a[1] || a[0] - b[0])
    .slice(0, count)
    .map(([id, activation]) => ({ token: tok.tokenOf(id) ?? `<${id}>`, id, activation }));
}
