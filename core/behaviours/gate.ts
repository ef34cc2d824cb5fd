// The topic gate every behaviour detector applies first: an answer counts
// only when it is on one of the behaviour's topics (the topics its trigger
// prompts are about), by the world's on-topic rule. On a control prompt the
// same gate makes the detector count an answer that turned to the
// behaviour's domain and shows it: a leak.
import type { DetectorVerdict } from '../plugins/types';
import type { World } from '../world/world';

export function onAnyTopic(world: World, response: string, topics: readonly string[]): boolean {
  return topics.some((t) => world.isOnTopic(response, t));
}

/** A verdict from the evidence found: fires when there is evidence and the gate lets the answer through. */
export function gatedVerdict(world: World, response: string, topics: readonly string[], evidence: string[]): DetectorVerdict {
  const gated = !onAnyTopic(world, response, topics);
  return { fired: !gated && evidence.length > 0, gated, evidence };
}
