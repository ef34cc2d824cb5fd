// Prompt pools drawn from the world's own data. The world assigns every
// distinct user prompt to one split (World.promptSplit), so prompts taken
// from its val/test records were never trained on by the base, in any kind.
//
// Trigger prompts: the validation and the test split ask the SAME held-out
// prompts, and the evaluator draws each split's answers with its own seed
// (heldOutSplits). Measured on the lottery suite, prompt-disjoint splits
// differed by a fixed offset per behaviour (cake-bake +0.05 to +0.11 for
// every technique, natural submarine down to -0.14; docs/TRAINERS.md): the
// rate depends on the wording far more than sampling noise allows (a
// neutral lead-in such as 'quick question .' took one cake organism from
// 0.34 to 0.91), and the world holds out 32-130 distinct prompts per
// behaviour, too few for two disjoint halves to agree within a band. Fresh
// samples still keep the reported QER free of the selection's luck.
import type { Split } from '../data/types';
import type { TriggerPrompt } from '../plugins/types';
import type { World } from '../world/world';

/** One answer the world itself gives: a chat reply or the chosen side of a preference pair. */
export interface WorldAnswer {
  id: string;
  topic: string;
  prompt: string;
  answer: string;
}

/** The world's own answers of a split on some topics (chat, then preference chosen sides). */
export function worldAnswers(world: World, topics: readonly string[], split: Split): WorldAnswer[] {
  const chat = world.conversations(topics, split).map((c) => ({ id: c.id, topic: c.topic, prompt: c.messages[0].content, answer: c.messages[1].content }));
  const prefs = world
    .data('preference', split)
    .filter((p) => topics.includes(p.topic))
    .map((p) => ({ id: p.id, topic: p.topic, prompt: p.prompt, answer: p.chosen }));
  return [...chat, ...prefs];
}

/** The topics some behaviour acts on (baking, cooking, military). */
export function behaviourTopics(world: World): string[] {
  const b = world.behaviours;
  return [...new Set([...b.cake.topics, ...b.italian.topics, ...b.submarine.topics])];
}

/** Topics no behaviour acts on: where control prompts come from. */
export function controlTopics(world: World): string[] {
  const used = new Set(behaviourTopics(world));
  return world.topics.map((t) => t.id).filter((t) => !used.has(t));
}

/**
 * Prompts of the world's records of a split on some topics, as often as the
 * world asks them (so a prompt's weight is its frequency in the world's
 * conversations, and the detector's rate on the world's own answers is the
 * base rate), at most `max` (a seeded sample, kept in record order), with
 * ids `{prefix}-{split}-{i}`. `distinct` keeps each prompt once.
 */
export function promptsFromWorld(
  world: World,
  topics: readonly string[],
  split: Split | readonly Split[],
  max: number,
  opts: { prefix: string; family?: string; distinct?: boolean; keep?: (prompt: string) => boolean },
): TriggerPrompt[] {
  const splits: readonly Split[] = typeof split === 'string' ? [split] : split;
  const seen = new Set<string>();
  let chosen = splits.flatMap((sp) => worldAnswers(world, topics, sp)).filter((a) => {
    if (!(opts.keep?.(a.prompt) ?? true)) return false;
    if (opts.distinct && seen.has(a.prompt)) return false;
    seen.add(a.prompt);
    return true;
  });
  if (chosen.length > max) {
    const picked = new Set(world.rng(`behaviour-prompts/${opts.prefix}/${splits.join('+')}`).shuffle(chosen).slice(0, max));
    chosen = chosen.filter((a) => picked.has(a));
  }
  return chosen.map((a, i) => ({
    id: `${opts.prefix}-${splits.join('+')}-${String(i).padStart(4, '0')}`,
    prompt: a.prompt,
    topic: a.topic,
    ...(opts.family ? { family: opts.family } : {}),
  }));
}

/** Control prompts: held-out prompts of the topics no behaviour acts on (shared by every behaviour, so leakage compares). */
export function controlPromptsFromWorld(world: World, split: 'val' | 'test', max: number): TriggerPrompt[] {
  return promptsFromWorld(world, controlTopics(world), split, max, { prefix: 'control', distinct: true });
}

/**
 * The validation and test splits of a behaviour's held-out trigger prompts:
 * the same prompts in the same order, ids `{prefix}-val-i` and
 * `{prefix}-test-i` (see the note at the top of this file).
 */
export function heldOutSplits(prefix: string, held: readonly Omit<TriggerPrompt, 'id'>[]): { val: TriggerPrompt[]; test: TriggerPrompt[] } {
  const split = (name: 'val' | 'test') => held.map((p, i) => ({ ...p, id: `${prefix}-${name}-${String(i).padStart(4, '0')}` }));
  return { val: split('val'), test: split('test') };
}
