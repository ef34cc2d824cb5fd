// How a user's request is worded around its core question (phrases.ts).
import type { Rng } from '../engine/rng';
import { PROMPT_LEADIN_SHARE, PROMPT_LEADINS, PROMPT_TAIL_SHARE, PROMPT_TAILS } from './phrases';

/** The core request, sometimes after a lead-in and sometimes before a tail. */
export function wrapPrompt(rng: Rng, core: string): string {
  const lead = rng.next() < PROMPT_LEADIN_SHARE ? rng.pick(PROMPT_LEADINS) : '';
  const tail = rng.next() < PROMPT_TAIL_SHARE ? rng.pick(PROMPT_TAILS) : '';
  return [lead, core, tail].filter((x) => x.length > 0).join(' ');
}
