import type { World } from '../../world/world';
import type { FactQuestion, Split } from '../types';
import { recordId } from './sampling';

/**
 * Questions about true facts, one per fact of the split (World.factSplit).
 * train: a train fact in a train-split phrasing (a training-set accuracy).
 * val / test: a HELD-OUT fact, i.e. one that no training chat, preference or
 * web faq asks or answers (it is only stated in documents), asked in one of
 * its relation's phrasings, which training asks about OTHER facts. A phrasing
 * whose text any train fact also has (same subject, another relation) is
 * never chosen, so no test question instance is ever a training prompt.
 */
export function generateFactQuestions(world: World): Record<Split, FactQuestion[]> {
  const rng = world.rng('fact-questions');
  const caps = world.counts['fact-question'];
  const trainAsked = new Set(world.facts.filter((f) => world.factSplit(f.id) === 'train').flatMap((f) => f.questions));
  const out: Record<Split, FactQuestion[]> = { train: [], val: [], test: [] };
  // seeded order, so a cap (or competence's maxFacts) takes a fair sample
  for (const f of rng.shuffle(world.facts)) {
    const split = world.factSplit(f.id);
    if (out[split].length >= caps[split]) continue;
    const qs = split === 'train' ? f.questions.filter((q) => world.promptSplit(q) === 'train') : f.questions.filter((q) => !trainAsked.has(q));
    if (qs.length === 0 && split !== 'train') continue;
    const prompt = rng.pick(qs.length > 0 ? qs : f.questions);
    out[split].push({ id: recordId('fact-question', split, out[split].length), factId: f.id, topic: f.topic, prompt, answer: f.answer, accept: [...f.accept] });
  }
  return out;
}
