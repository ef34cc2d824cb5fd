// How often a behaviour's detector fires on the world's OWN answers: the
// rate a base model that learnt the world perfectly would show. Used to check
// base rates against the manifest and to report them.
import type { Split } from '../data/types';
import type { BehaviourDataset } from '../plugins/types';
import type { World } from '../world/world';
import { worldAnswers } from './prompts';

export interface RateEstimate {
  n: number;
  fired: number;
  rate: number;
  /** binomial standard error sqrt(p(1-p)/n) */
  se: number;
}

export function rateOf(fired: number, n: number): RateEstimate {
  const rate = n > 0 ? fired / n : 0;
  return { n, fired, rate, se: n > 0 ? Math.sqrt((rate * (1 - rate)) / n) : 0 };
}

/** The detector's rate on the world's chat answers and preference chosen sides of a split, on the behaviour's topics. */
export function worldBaseRate(b: BehaviourDataset, world: World, split: Split): RateEstimate {
  const answers = worldAnswers(world, b.manifest().topics, split);
  return rateOf(answers.filter((a) => b.detect(a.prompt, a.answer).fired).length, answers.length);
}
