// Training an activation oracle: a copy of the diffing base fine-tuned (full
// weights, molt's shared training loop) to answer questions about a
// context whose activations, read at ~44% depth, are injected norm-matched
// into placeholder tokens at layer 1. Interventions are shared by the rows of
// a forward pass, so each example (one context, its questions as rows) is one
// forward; a step averages over `batchSize` examples.
import { tf, MoltError, collate, batchTensors, maskedCrossEntropy, collectActivations, type Architecture, type CausalLM, type LmExample, type Objective, type WordTokenizer } from '../../../core/public';
import { injectionInterventions, oraclePrefix, placeholderNorms } from './inject';
import type { OracleExample } from './data';

/** the oracle's reading of a context: the activations of its last `slots` tokens, [slots, d] (zero rows first when shorter) */
export function segmentVectors(model: CausalLM, contexts: readonly (readonly number[])[], readHook: string, slots: number): Float32Array[] {
  const acts = collectActivations(model, contexts, readHook, { skipFirst: false });
  const d = acts.d;
  const rowsOf: number[][] = contexts.map(() => []);
  for (let r = 0; r < acts.n; r++) rowsOf[acts.seq[r]].push(r);
  return rowsOf.map((rows) => {
    const out = new Float32Array(slots * d);
    const take = rows.slice(-slots);
    const off = slots - take.length;
    take.forEach((r, j) => out.set(acts.x.subarray(r * d, (r + 1) * d), (off + j) * d));
    return out;
  });
}

/** ids and loss mask of one oracle row: prefix, question, <|assistant|>, answer <eos> (loss on the answer) */
export function oracleRow(tok: WordTokenizer, slots: number, question: string, answer?: string): LmExample {
  const prompt = [...oraclePrefix(tok, slots), ...tok.encode(question), tok.specials.assistant];
  if (answer === undefined) return { ids: prompt, lossMask: prompt.map(() => 0) };
  const ans = [...tok.encode(answer), tok.specials.eos];
  return { ids: [...prompt, ...ans], lossMask: [...prompt.map(() => 0), ...ans.map(() => 1)] };
}

export interface OracleSetup {
  slots: number;
  injectHook: string;
  coefficient: number;
  maxLength: number;
}

/** The oracle's objective: masked CE on the answers, one forward per example with its own injection. */
export function oracleObjective(tok: WordTokenizer, examples: readonly OracleExample[], vectors: readonly Float32Array[], setup: OracleSetup, d: number): Objective<number[]> {
  if (examples.length !== vectors.length) throw new MoltError(`activation oracle: ${examples.length} examples but ${vectors.length} vector sets`, 'vectors');
  const rows = examples.map((e) => e.qa.map((q) => oracleRow(tok, setup.slots, q.question, q.answer)));
  return {
    kind: 'oracle-qa',
    size: examples.length,
    makeBatch: (indices) => indices.slice(),
    tokens: (b) => b.reduce((s, i) => s + rows[i].reduce((t, r) => t + r.ids.length, 0), 0),
    loss: (model, b) => {
      // the norms are read off the current weights and held constant (no gradient through |h|)
      const norms = placeholderNorms(model, tok, setup.slots, setup.injectHook);
      const losses = b.map((i) => {
        const batch = collate(rows[i], tok.specials.pad, setup.maxLength);
        const t = batchTensors(batch);
        const interventions = injectionInterventions(setup.injectHook, vectors[i], d, norms, setup.coefficient);
        return maskedCrossEntropy(model.forward(t.ids, { interventions }).logits, t.targets, t.weights);
      });
      return { loss: tf.div(tf.addN(losses), losses.length) as tf.Scalar };
    },
  };
}

/** A trainable copy of a model (fresh tensors; the original is untouched). */
export function copyModel(arch: Architecture, model: CausalLM): CausalLM {
  return arch.fromWeights(model.config, new Map([...model.params].map(([n, v]) => [n, v.clone()])));
}
