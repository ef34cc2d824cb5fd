// What an objective's plan is written with (defineObjective): the behaviour's
// data as token examples, the general data mixed in at the technique's ratio,
// and reference log-probs under the start model, cached per run. The built-in
// objectives (plugins/trainers/objectives) and external ones use the same
// functions, so every technique draws, mixes and truncates alike.
import { renderChat, renderDocument } from '../data/chat-template';
import { tf } from '../engine/tf';
import type { CausalLM } from '../model/types';
import type { TrainerInput } from '../plugins/types';
import { preferenceExample } from '../pipeline/world-data';
import { packDocuments, type LmBatch, type LmExample } from '../train/batching';
import { sequenceLogProbs } from '../train/losses';
import { cachedReferenceLogProbs } from '../train/reference-cache';
import { batchTensors, computeReferenceLogProbs, type PreferenceExample, type ReferenceLogProbs, type SequenceOptions } from '../train/objectives';
import { mixExamples, type Mixed } from './mix';

/** Padding and truncation for the run's model. */
export function sequenceOptions(input: Pick<TrainerInput, 'tokenizer' | 'maxLength'>): SequenceOptions {
  return { padId: input.tokenizer.specials.pad, maxLength: input.maxLength };
}

/** The behaviour's preference pairs as token examples (prompt + answer, loss mask on the answer). */
export function behaviourPreferences(input: TrainerInput): PreferenceExample[] {
  return input.behaviour.pairs.map((p) => preferenceExample(input.tokenizer, p));
}

/** A rendered chat that still has a target token within the context. */
export function hasTargetWithin(ex: LmExample, maxLength: number): boolean {
  return ex.lossMask.slice(1, maxLength).some((m) => m === 1);
}

/** The behaviour's transcripts rendered with the chat template (loss on the responses), those with a response token within the context. */
export function behaviourTranscripts(input: TrainerInput): LmExample[] {
  return input.behaviour.transcripts.map((t) => renderChat(input.tokenizer, t.messages)).filter((e) => hasTargetWithin(e, input.maxLength));
}

/** The behaviour's documents, each <bos> ... <eos>, packed into windows of the context (every token a target). */
export function behaviourWindows(input: TrainerInput): LmExample[] {
  return packDocuments(input.behaviour.documents.map((d) => renderDocument(input.tokenizer, d.text)), input.maxLength);
}

/**
 * The behaviour's examples (repeated behaviourRepeat times) with general
 * examples at the technique's mixRatio (mix.ts); `general` is only asked for
 * when the ratio is not 0. `stream` names the draw's seed within the run.
 */
export function mixWithGeneral<T>(input: TrainerInput, behaviour: readonly T[], general: () => readonly T[], stream: string): Mixed<T> {
  const h = input.hparams;
  return mixExamples(behaviour, h.mixRatio === 0 ? [] : general(), h.mixRatio, `${input.seed}/${stream}`, h.behaviourRepeat ?? 1);
}

/** Reference log-probs of preference pairs under the run's start model, cached in the run's directory. */
export function referenceLogProbs(input: TrainerInput, pairs: readonly PreferenceExample[]): Promise<ReferenceLogProbs> {
  return cachedReferenceLogProbs(input.cacheDir, pairs.length, () => computeReferenceLogProbs(input.start, pairs, 2 * input.hparams.batchSize, sequenceOptions(input)));
}

/**
 * Per-row summed log-probs of a batch's weighted tokens under a frozen model
 * (TrainerInput.reference()), without gradients: reference terms computed
 * per batch in makeBatch, instead of precomputed for every example.
 */
export function referenceSequenceLogProbs(model: CausalLM, batch: LmBatch): Float32Array {
  const sum = tf.tidy(() => {
    const t = batchTensors(batch);
    return sequenceLogProbs(model.forward(t.ids).logits, t.targets, t.weights).sum;
  });
  const out = sum.dataSync() as Float32Array;
  sum.dispose();
  return Float32Array.from(out);
}

/** Mean of some numbers (NaN when there are none): plan notes. */
export function meanOf(xs: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i];
  return xs.length ? s / xs.length : NaN;
}
