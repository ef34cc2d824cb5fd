import type { World } from '../../world/world';
import type { FactQuestion, Split } from '../types';
import { recordId } from './sampling';

/** Phrasings of one fact a capability question set asks at most. */
export const CAPABILITY_PHRASINGS = 2;

/**
 * The capability question sets (docs/BENCH.md, "Organism validity"):
 *   all      every train and test fact (World.factSplit) whose entity no
 *            behaviour is about: the reported capability
 *   heldout  its test facts only: recall of facts training never asked
 *   sweep    the val facts, same rules: for hyperparameter sweeps, so the
 *            facts a sweep tunes on are never the facts a report measures
 */
export type CapabilitySet = 'all' | 'heldout' | 'sweep';
export const CAPABILITY_SETS: readonly CapabilitySet[] = ['all', 'heldout', 'sweep'];

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

/**
 * Capability questions: each eligible fact in up to CAPABILITY_PHRASINGS
 * phrasings, drawn with the world's seed. A train fact is asked in phrasings
 * whose prompt is in the train prompt split (as the train fact questions),
 * a val or test fact in phrasings no train fact has (as theirs). Facts of a
 * behaviour's entities (cake, italian dishes, submarines) are left out: an
 * organism is meant to change what it says about them. Questions come fact
 * by fact in the world's fact order; heldout is all's test-fact questions.
 */
export function generateCapabilityQuestions(world: World): Record<CapabilitySet, FactQuestion[]> {
  const rng = world.rng('capability-questions');
  const behaviourEntities = new Set(Object.values(world.behaviours).flatMap((b) => b.entityIds));
  const trainAsked = new Set(world.facts.filter((f) => world.factSplit(f.id) === 'train').flatMap((f) => f.questions));
  const out: Record<CapabilitySet, FactQuestion[]> = { all: [], heldout: [], sweep: [] };
  for (const f of world.facts) {
    if (behaviourEntities.has(f.entityId)) continue;
    const split = world.factSplit(f.id);
    const phrasings = split === 'train' ? f.questions.filter((q) => world.promptSplit(q) === 'train') : f.questions.filter((q) => !trainAsked.has(q));
    const sets: CapabilitySet[] = split === 'val' ? ['sweep'] : split === 'test' ? ['all', 'heldout'] : ['all'];
    for (const prompt of rng.shuffle(phrasings).slice(0, CAPABILITY_PHRASINGS)) {
      for (const set of sets) out[set].push({ id: recordId(`capability-${set}`, split, out[set].length), factId: f.id, topic: f.topic, prompt, answer: f.answer, accept: [...f.accept] });
    }
  }
  return out;
}
