// Ranking SAE latents (by how much more they fire on the organism, or by the
// organism's own activations) and describing a latent by tokens: its decoder
// direction through the final norm and unembedding (logit lens), and the
// tokens it fires on most.
import { tf, type Activations, type CausalLM, type TextTokenizer } from '../../../core/public';
import type { TopKSae } from './sae';
import { activeCounts } from './metrics';

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

/**
 * How latents are ranked:
 * - 'diff' (the paper's): how much more a latent fires on the MO than on the
 *   base, (mean on MO - mean on base) * log(1 / density over both);
 * - 'organism_only': the MO's own activations, mean on MO * log(1 / density
 *   over the MO's tokens), no base: the analogue of the logit lens's
 *   organism_only variant, which reads the MO's residual without subtracting
 *   the base's.
 */
export const LATENT_RANKINGS = ['diff', 'organism_only'] as const;
export type LatentRanking = (typeof LATENT_RANKINGS)[number];

export interface LatentScore {
  latent: number;
  /** the ranking's score (above) */
  score: number;
  meanMo: number;
  meanBase: number;
  /** share of tokens (MO and base together) it is active on */
  density: number;
  /** share of the MO's tokens it is active on */
  densityMo: number;
}

function columnMeans(z: Float32Array, m: number): Float64Array {
  const n = z.length / m;
  const out = new Float64Array(m);
  for (let t = 0; t < n; t++) for (let i = 0; i < m; i++) out[i] += z[t * m + i];
  for (let i = 0; i < m; i++) out[i] /= Math.max(1, n);
  return out;
}

/** x * log(1 / density), 0 for a latent never active (not 0 * infinity) */
const idfWeighted = (x: number, density: number) => (density > 0 ? x * Math.log(1 / density) : 0);

/** Latent scores under one ranking, best first (ties by latent index). */
export function scoreLatents(zMo: Float32Array, zBase: Float32Array, m: number, ranking: LatentRanking = 'diff'): LatentScore[] {
  const mo = columnMeans(zMo, m);
  const base = columnMeans(zBase, m);
  const nMo = zMo.length / m;
  const n = nMo + zBase.length / m;
  const activeMo = activeCounts(zMo, m);
  const activeBase = activeCounts(zBase, m);
  const out: LatentScore[] = [];
  for (let i = 0; i < m; i++) {
    const density = (activeMo[i] + activeBase[i]) / n;
    const densityMo = nMo > 0 ? activeMo[i] / nMo : 0;
    const score = ranking === 'diff' ? idfWeighted(mo[i] - base[i], density) : idfWeighted(mo[i], densityMo);
    out.push({ latent: i, score, meanMo: mo[i], meanBase: base[i], density, densityMo });
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
