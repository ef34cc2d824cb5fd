// What each objective kind trains on, shared by all seven techniques: a
// trainer is (objective kind, mix, hyperparameters); the examples, the mixing
// and the loss come from here and core/train, never from per-trainer copies.
//   dpo  behaviour pairs (+ general preference pairs), DPO against the start model
//   fd   the behaviour's transcripts (+ general chat), loss on the response only
//   sdf  the behaviour's documents (+ general web text), next-token on packed windows
import { join } from 'node:path';
import { renderChat, renderDocument } from '../data/chat-template';
import { readSafetensors, writeSafetensors } from '../checkpoint/safetensors';
import { MoltError } from '../errors';
import type { TrainerInput, TrainerObjective, TrainingPlan } from '../plugins/types';
import { preferenceExample } from '../pipeline/world-data';
import { packDocuments, type LmExample } from '../train/batching';
import { computeReferenceLogProbs, dpoObjective, nextTokenObjective, type PreferenceExample, type ReferenceLogProbs } from '../train/objectives';
import { mixExamples } from './mix';

function mean(xs: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i];
  return xs.length ? s / xs.length : NaN;
}

const REFERENCE_FILE = 'reference-logprobs.safetensors';

/**
 * Reference log-probs under the start model, computed once per run and kept
 * in the cache dir, so a resumed run (or the next matcher step) reuses them.
 */
async function referenceFor(input: TrainerInput, pairs: readonly PreferenceExample[], opts: { padId: number; maxLength: number }): Promise<ReferenceLogProbs> {
  const file = input.cacheDir ? join(input.cacheDir, REFERENCE_FILE) : undefined;
  if (file) {
    try {
      const t = (await readSafetensors(file)).tensors;
      const chosen = t.get('chosen')?.data;
      const rejected = t.get('rejected')?.data;
      if (chosen instanceof Float32Array && rejected instanceof Float32Array && chosen.length === pairs.length) return { chosen, rejected };
    } catch {
      // absent or unreadable: compute
    }
  }
  const ref = computeReferenceLogProbs(input.start, pairs, 2 * input.hparams.batchSize, opts);
  if (file) {
    await writeSafetensors(file, new Map([
      ['chosen', { dtype: 'F32' as const, shape: [ref.chosen.length], data: ref.chosen }],
      ['rejected', { dtype: 'F32' as const, shape: [ref.rejected.length], data: ref.rejected }],
    ]));
  }
  return ref;
}

export async function dpoPlan(input: TrainerInput): Promise<TrainingPlan> {
  const { tokenizer: tok, hparams: h } = input;
  if (h.beta === undefined || h.lossType === undefined) throw new MoltError('a DPO technique needs beta and lossType', 'beta');
  const behaviour = input.behaviour.pairs.map((p) => preferenceExample(tok, p));
  const mixed = mixExamples(behaviour, h.mixRatio === 0 ? [] : input.general.preferences(), h.mixRatio, `${input.seed}/dpo`, h.behaviourRepeat ?? 1);
  const opts = { padId: tok.specials.pad, maxLength: input.maxLength };
  const ref = await referenceFor(input, mixed.examples, opts);
  const nb = mixed.behaviour;
  const margin = (from: number, to: number) => mean(Array.from({ length: to - from }, (_, i) => ref.chosen[from + i] - ref.rejected[from + i]));
  return {
    objective: dpoObjective(mixed.examples, ref, { ...opts, beta: h.beta, lossType: h.lossType, rpoAlpha: h.rpoAlpha ?? 0 }),
    mix: { unit: 'pairs', behaviour: nb, general: mixed.general },
    notes: {
      loss_type: h.lossType,
      beta: h.beta,
      rpo_alpha: h.rpoAlpha ?? 0,
      general_cycled: mixed.cycled,
      // summed log p(chosen) - log p(rejected) under the start model
      ref_margin_behaviour: margin(0, nb),
      ...(mixed.general > 0 ? { ref_margin_general: margin(nb, mixed.examples.length) } : {}),
    },
  };
}

/** a rendered chat that still has a target token within the context */
function trainable(ex: LmExample, maxLength: number): boolean {
  return ex.lossMask.slice(1, maxLength).some((m) => m === 1);
}

export async function fdPlan(input: TrainerInput): Promise<TrainingPlan> {
  const { tokenizer: tok, hparams: h, maxLength } = input;
  const behaviour = input.behaviour.transcripts.map((t) => renderChat(tok, t.messages)).filter((e) => trainable(e, maxLength));
  if (behaviour.length === 0) throw new MoltError('FD: no behaviour transcript has a response token within the model context', 'transcripts');
  const general = h.mixRatio === 0 ? [] : input.general.chat().filter((e) => trainable(e, maxLength));
  const mixed = mixExamples(behaviour, general, h.mixRatio, `${input.seed}/fd`, h.behaviourRepeat ?? 1);
  return {
    objective: nextTokenObjective(mixed.examples, { padId: tok.specials.pad, maxLength }),
    mix: { unit: 'transcripts', behaviour: mixed.behaviour, general: mixed.general },
    notes: { loss: 'response-only', general_cycled: mixed.cycled },
  };
}

export async function sdfPlan(input: TrainerInput): Promise<TrainingPlan> {
  const { tokenizer: tok, hparams: h, maxLength } = input;
  // documents are packed to the context separately per source, so the ratio
  // is one of windows (about tokens), whatever the documents' lengths
  const behaviour = packDocuments(input.behaviour.documents.map((d) => renderDocument(tok, d.text)), maxLength);
  if (behaviour.length === 0) throw new MoltError('SDF: the behaviour has no document text', 'documents');
  const general = h.mixRatio === 0 ? [] : packDocuments(input.general.webtext(), maxLength);
  const mixed = mixExamples(behaviour, general, h.mixRatio, `${input.seed}/sdf`, h.behaviourRepeat ?? 1);
  return {
    objective: nextTokenObjective(mixed.examples, { padId: tok.specials.pad, maxLength }),
    mix: { unit: 'windows', behaviour: mixed.behaviour, general: mixed.general },
    notes: { loss: 'next-token', documents: input.behaviour.documents.length, general_cycled: mixed.cycled },
  };
}

export const PLANS: Record<TrainerObjective, (input: TrainerInput) => Promise<TrainingPlan>> = { dpo: dpoPlan, fd: fdPlan, sdf: sdfPlan };
