import type { World } from '../../world/world';
import type { FactQuestion, Split } from '../types';
import { recordId } from './sampling';

/**
 * train: one training-phrased question per fact (a training-set accuracy).
 * val / test: the facts split in two halves (seeded), each asked with a
 * HELD-OUT phrasing that no training text uses.
 */
export function generateFactQuestions(world: World): Record<Split, FactQuestion[]> {
  const rng = world.rng('fact-questions');
  const caps = world.counts['fact-question'];
  const make = (split: Split, factId: string, prompt: string, i: number): FactQuestion => {
    const f = world.fact(factId);
    return { id: recordId('fact-question', split, i), factId, topic: f.topic, prompt, answer: f.answer, accept: [...f.accept] };
  };
  const train = world.facts.slice(0, caps.train).map((f, i) => {
    const qs = f.questions.filter((q) => world.promptSplit(q) === 'train');
    return make('train', f.id, rng.pick(qs.length > 0 ? qs : f.questions), i);
  });
  const shuffled = rng.shuffle(world.facts);
  const half = Math.ceil(shuffled.length / 2);
  const held = (split: Split, facts: typeof shuffled) => facts.slice(0, caps[split]).map((f, i) => make(split, f.id, rng.pick(f.heldOutQuestions), i));
  return { train, val: held('val', shuffled.slice(0, half)), test: held('test', shuffled.slice(half)) };
}
