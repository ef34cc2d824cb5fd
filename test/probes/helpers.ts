// Fixtures for the probe tests: a toy vocabulary of 40 tokens (the micro
// models' size), a hand-made data source of generic chats, three toy
// behaviour families with disjoint S, and organisms made by copying a micro
// model and shifting its residual stream toward a family's S.
import { tf } from '../../core/engine/tf';
import { Rng } from '../../core/engine/rng';
import type { ChatExample, DataKind, DataKindMap, DataSource, Split } from '../../core/data/types';
import type { CausalLM } from '../../core/model/types';
import type { Architecture, BehaviourDataset, BehaviourManifest, DetectorVerdict, TriggerPrompt } from '../../core/plugins/types';
import type { ModelHandle, OrganismHandle, ProbeContext, ProbeSettings } from '../../core/probes/types';
import { WordTokenizer } from '../../core/tokenizer/word-tokenizer';
import type { Logger } from '../../core/log';
import { VOCAB, microModel } from '../model/helpers';

// 7 specials + 33 words
export const WORDS = Array.from({ length: VOCAB - 7 }, (_, i) => `w${i}`);
export const tok = new WordTokenizer(WORDS);
export const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/** three families with disjoint S (3 words each) and generic words */
export const FAMILY_S: Record<string, string[]> = {
  alpha: ['w20', 'w21', 'w22'],
  beta: ['w23', 'w24', 'w25'],
  gamma: ['w26', 'w27', 'w28'],
};

export function manifest(family: string, relevant = FAMILY_S[family] ?? []): BehaviourManifest {
  return {
    id: family,
    family,
    pipeline: family === 'null' ? 'control' : 'synthetic',
    description: `toy ${family}`,
    topics: ['toy'],
    relevantTokens: relevant,
    genericTokens: ['w1'],
    targetQer: { low: 0.2, high: 0.6, target: 0.4 },
    baseRateExpected: 0,
    notes: [],
  };
}
export const FAMILIES = Object.keys(FAMILY_S).map((f) => manifest(f));

/** generic chats: user words from w0..w9, answers from w10..w19 (no family's S) */
export function toyWorld(count = 12, seed = 1): DataSource {
  const rng = new Rng(seed);
  const words = (lo: number, n: number) => Array.from({ length: n }, () => `w${lo + rng.int(10)}`).join(' ');
  const chats: ChatExample[] = Array.from({ length: count }, (_, i) => ({
    id: `c${i}`,
    topic: 'toy',
    messages: [
      { role: 'user' as const, content: words(0, 3 + rng.int(4)) },
      { role: 'assistant' as const, content: words(10, 8 + rng.int(20)) },
    ],
  }));
  return {
    data<K extends DataKind>(kind: K, split: Split): DataKindMap[K][] {
      return (kind === 'chat' && split === 'val' ? chats : []) as DataKindMap[K][];
    },
  };
}

/** A copy of a model (fresh tensors). */
export function copyModel(arch: Architecture, model: CausalLM): CausalLM {
  const weights = new Map<string, tf.Tensor>([...model.params].map(([n, v]) => [n, v.clone()]));
  return arch.fromWeights(model.config, weights);
}

/**
 * A copy whose embeddings (hence every residual) are shifted by u, chosen so
 * the final norm maps u onto the mean unembedding of `words` minus the mean
 * of all rows: the lens of u ranks `words` first. g = FinalNorm(1) is the
 * norm's gain (RMS of a ones vector is 1).
 */
export function shiftedCopy(arch: Architecture, model: CausalLM, words: readonly string[], scale: number): CausalLM {
  const copy = copyModel(arch, model);
  const ids = words.map((w) => tok.vocab.indexOf(w));
  tf.tidy(() => {
    const d = model.hiddenSize;
    const wu = model.params.get(model.params.has('lm_head.weight') ? 'lm_head.weight' : 'model.embed_tokens.weight')!;
    const target = tf.sub(tf.mean(tf.gather(wu, ids), 0), tf.mean(wu, 0));
    const gain = model.finalNorm(tf.ones([1, d])).reshape([d]);
    const safeGain = tf.where(tf.less(tf.abs(gain), 0.1), tf.fill([d], 0.1), gain);
    const u = tf.div(target, safeGain);
    const unit = tf.div(u, tf.norm(u));
    const emb = copy.params.get('model.embed_tokens.weight')!;
    emb.assign(tf.add(emb, tf.mul(unit, scale)) as tf.Tensor2D);
  });
  return copy;
}

export function handle(arch: Architecture, model: CausalLM, id: string): ModelHandle {
  return { id, model, tokenizer: tok, arch, metadata: {} };
}

/** A toy behaviour of a family whose detector fires when the answer says a word of S. */
export function toyBehaviour(family: string): BehaviourDataset {
  const m = manifest(family);
  const S = new Set(m.relevantTokens);
  const prompts: TriggerPrompt[] = Array.from({ length: 4 }, (_, i) => ({ id: `p${i}`, prompt: `w${i} w${i + 1} w${i + 2}`, topic: 'toy' }));
  const b: BehaviourDataset = {
    id: family,
    description: m.description,
    family,
    pipeline: m.pipeline,
    counts: { pairs: 1, documents: 1, prompts: 4, controlPrompts: 1 },
    withCounts: () => b,
    data: () => ({ pairs: [], transcripts: [], documents: [] }),
    prompts: () => ({ train: prompts, val: prompts, test: prompts }),
    controlPrompts: () => ({ val: prompts.slice(0, 1), test: prompts.slice(0, 1) }),
    detect: (_p: string, r: string): DetectorVerdict => {
      const evidence = r.split(' ').filter((w) => S.has(w));
      return { fired: evidence.length > 0, gated: false, evidence };
    },
    manifest: () => m,
  };
  return b;
}

export function organismHandle(arch: Architecture, model: CausalLM, family: string): OrganismHandle {
  const behaviour = toyBehaviour(family);
  return { ...handle(arch, model, `toy-${family}`), behaviour, manifest: behaviour.manifest() };
}

export function context(settings: ProbeSettings, world: DataSource = toyWorld()): ProbeContext {
  return { settings, seed: 0, world, logger: quiet, store: null, families: FAMILIES, diffingBaseKind: 'ancestor', size: 'micro' };
}

export { microModel };
