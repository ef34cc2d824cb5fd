// An organism and the base it is compared with, given as two Hugging Face
// directories (or store ids): the normal case for a model fine-tuned
// elsewhere (TRL, open-instruct...) from a published base. Probes compare
// activations and logits position by position, so the two must be the same
// architecture at the same shapes and read text with the same tokenizer.
import { MoltError } from '../errors';
import type { Architecture } from '../plugins/types';
import type { ArtifactStore } from '../store/artifact-store';
import type { TextTokenizer } from '../tokenizer/types';
import { openModelDir, type OpenedModelDir } from './open';

/**
 * Config fields that change the computation; a fine-tune keeps them all. A
 * field counts when either side sets it (an absent field means the
 * architecture's default, which the other side may not share).
 */
const MATH_FIELDS = [
  'model_type',
  'vocab_size',
  'hidden_size',
  'intermediate_size',
  'num_hidden_layers',
  'num_attention_heads',
  'num_key_value_heads',
  'head_dim',
  'hidden_act',
  'hidden_activation',
  'rms_norm_eps',
  'rope_theta',
  'rope_local_base_freq',
  'rope_scaling',
  'rope_parameters',
  'sliding_window',
  'sliding_window_pattern',
  'layer_types',
  'query_pre_attn_scalar',
  'tie_word_embeddings',
] as const;

export interface OpenedModelPair {
  organism: OpenedModelDir;
  base: OpenedModelDir;
  /** the tokenizer both read text with (the organism's; equal to the base's) */
  tokenizer: TextTokenizer;
  dispose(): void;
}

const where = (d: OpenedModelDir) => d.resolved.key ?? d.resolved.path;

/** The first difference that makes the two models incomparable, or null. */
export function pairMismatch(organism: OpenedModelDir, base: OpenedModelDir): string | null {
  const o = organism.config as Record<string, unknown>;
  const b = base.config as Record<string, unknown>;
  for (const f of MATH_FIELDS) {
    if (o[f] === undefined && b[f] === undefined) continue;
    if (JSON.stringify(o[f]) !== JSON.stringify(b[f])) return `config.json field '${f}' differs: ${JSON.stringify(o[f] ?? null)} (organism) vs ${JSON.stringify(b[f] ?? null)} (base)`;
  }
  const ot = organism.tokenizer;
  const bt = base.tokenizer;
  if (!ot || !bt) return `${ot ? 'the base' : 'the organism'} has no tokenizer.json; probes read text, so both need one`;
  if (ot.size !== bt.size) return `the tokenizers differ: ${ot.size} tokens (organism) vs ${bt.size} (base)`;
  for (let id = 0; id < ot.size; id++) {
    if (ot.tokenOf(id) !== bt.tokenOf(id)) return `the tokenizers differ at id ${id}: ${JSON.stringify(ot.tokenOf(id))} (organism) vs ${JSON.stringify(bt.tokenOf(id))} (base)`;
  }
  for (const k of ['bos', 'eos', 'pad', 'unk'] as const) {
    if (ot.specials[k] !== bt.specials[k]) return `the tokenizers' ${k} token differs: id ${ot.specials[k] ?? 'none'} (organism) vs ${bt.specials[k] ?? 'none'} (base)`;
  }
  return null;
}

/**
 * Open an organism and its base (each a Hugging Face directory or a store
 * id), refusing in one line a pair whose architecture, shapes or tokenizer
 * differ. The caller disposes the pair.
 */
export async function openModelPair(store: ArtifactStore, archs: readonly Architecture[], organismId: string, baseId: string): Promise<OpenedModelPair> {
  const organism = await openModelDir(store, archs, organismId);
  let base: OpenedModelDir;
  try {
    base = await openModelDir(store, archs, baseId);
  } catch (e) {
    organism.model.dispose();
    throw e;
  }
  const dispose = () => [organism.model, base.model].forEach((m) => m.dispose());
  const why = pairMismatch(organism, base);
  if (why) {
    dispose();
    throw new MoltError(`organism ${where(organism)} and base ${where(base)} cannot be compared: ${why}`, 'base');
  }
  return { organism, base, tokenizer: organism.tokenizer!, dispose };
}
