// Prompt pools. A behaviour's trigger prompts and the control prompts are
// drawn from generators of varied wording (lead-ins, phrasings, the thing
// asked about), stratum by stratum (a false fact, a topic), and each distinct
// prompt lands in the split the world assigns it (World.promptSplit): the
// same rule that keeps the world's own held-out prompts out of every training
// kind, so no validation or test prompt is ever trained on, by the base or by
// an organism. Validation and test are disjoint, and every stratum fills its
// quota in each split (stratified). This is the paper's design: a pool of
// generated prompts split at random into validation (matching) and test
// (reporting), hundreds each.
import type { Split } from '../data/types';
import { answerOf, makeQA } from '../data/generate/answers';
import type { Rng } from '../engine/rng';
import { MoltError } from '../errors';
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

/** The topics some behaviour acts on (the built-in world: baking, cooking, military). */
export function behaviourTopics(world: World): string[] {
  return [...new Set(Object.values(world.behaviours).flatMap((b) => b.topics))];
}

/** Topics no behaviour acts on: where control prompts come from. */
export function controlTopics(world: World): string[] {
  const used = new Set(behaviourTopics(world));
  return world.topics.map((t) => t.id).filter((t) => !used.has(t));
}

/** A drawn prompt, with the answer the world itself would give when it has one. */
export interface DrawnPrompt {
  prompt: string;
  answer?: string;
}

/** One stratum of a pool: what its prompts are about and how to draw one. */
export interface PromptStratum {
  /** names the stratum's random stream; unique within a pool */
  name: string;
  topic: string;
  /** what the prompts are written to elicit (cake-bake: the fact's aspect) */
  target?: string;
  draw: (rng: Rng) => DrawnPrompt | null;
}

/** A pooled prompt: a TriggerPrompt with the world's own answer, if any. */
export type PooledPrompt = TriggerPrompt & { worldAnswer?: string };

export type PromptPool = Record<Split, PooledPrompt[]>;

/** consecutive draws that add nothing before a stratum is taken as exhausted */
const MAX_MISSES = 3000;

/**
 * Draw each stratum's prompts until every split holds `quota[split]` of them
 * (or the stratum's generator runs dry: a small world has few distinct
 * prompts). Seeded by the pool's prefix and the stratum's name; ids
 * `{prefix}-{split}-{i}`, strata in order.
 */
export function poolPrompts(world: World, strata: readonly PromptStratum[], quota: Record<Split, number>, opts: { prefix: string; family?: string }): PromptPool {
  const names = new Set<string>();
  const out: PromptPool = { train: [], val: [], test: [] };
  const seen = new Set<string>();
  for (const s of strata) {
    if (names.has(s.name)) throw new MoltError(`prompt pool '${opts.prefix}': stratum '${s.name}' appears twice`, s.name);
    names.add(s.name);
    const rng = world.rng(`prompt-pool/${opts.prefix}/${s.name}`);
    const mine: Record<Split, DrawnPrompt[]> = { train: [], val: [], test: [] };
    const full = () => (['train', 'val', 'test'] as const).every((sp) => mine[sp].length >= quota[sp]);
    let misses = 0;
    while (!full() && misses < MAX_MISSES) {
      const d = s.draw(rng);
      const split = d ? world.promptSplit(d.prompt) : undefined;
      if (!d || !split || seen.has(d.prompt) || mine[split].length >= quota[split]) {
        misses++;
        continue;
      }
      seen.add(d.prompt);
      mine[split].push(d);
      misses = 0;
    }
    for (const split of ['train', 'val', 'test'] as const) {
      for (const d of mine[split]) {
        out[split].push({
          id: `${opts.prefix}-${split}-${String(out[split].length).padStart(4, '0')}`,
          prompt: d.prompt,
          topic: s.topic,
          ...(s.target ? { target: s.target } : {}),
          ...(opts.family ? { family: opts.family } : {}),
          ...(d.answer !== undefined ? { worldAnswer: d.answer } : {}),
        });
      }
    }
  }
  return out;
}

/** A stratum of the world's own chat requests on a topic (fact questions, entity requests, open requests), with the world's answers. */
export function chatStratum(world: World, topic: string, split: Split = 'test'): PromptStratum {
  const t = world.topic(topic);
  return {
    name: topic,
    topic,
    draw: (rng) => {
      // a held-out split lets a request ask any fact; the pool files it by its
      // prompt's split, so one filed as train must not ask a held-out fact
      const qa = makeQA(world, rng, t, split);
      if (!qa) return null;
      if (world.promptSplit(qa.prompt) === 'train' && qa.meta.kind === 'fact' && !qa.facts.every((f) => world.factAskableIn(f.id, 'train'))) return null;
      return { prompt: qa.prompt, answer: answerOf(qa) };
    },
  };
}

/** Held-out prompts per split, without the pool's extras (the TriggerPrompt shape). */
export function asTriggerPrompts(ps: readonly PooledPrompt[]): TriggerPrompt[] {
  return ps.map(({ worldAnswer: _a, ...p }) => p);
}

/** Control prompts: requests on the topics no behaviour acts on, `perTopic` per split (shared by every behaviour, so leakage compares). */
export function controlPromptPool(world: World, perTopic: number): PromptPool {
  return poolPrompts(
    world,
    controlTopics(world).map((t) => chatStratum(world, t)),
    { train: 0, val: perTopic, test: perTopic },
    { prefix: 'control' },
  );
}
