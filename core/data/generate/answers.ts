import type { Rng } from '../../engine/rng';
import { fill } from '../../world/facts';
import { ANSWER_OPENERS, ENTITY_PROMPTS } from '../../world/phrases';
import type { Entity, Fact, Topic } from '../../world/types';
import type { World } from '../../world/world';
import { wrapPrompt } from '../../world/wording';
import type { ChatMeta, Split } from '../types';
import { joinSentences, pickWeighted } from './sampling';

/** One user request with its correct, complete answer, before it becomes a record. */
export interface QA {
  topic: string;
  prompt: string;
  /** the answer without opener */
  body: string;
  opener: string;
  meta: ChatMeta;
  /** the facts the answer states, in order */
  facts: Fact[];
}

export function answerOf(qa: QA): string {
  return joinSentences([qa.opener, qa.body]);
}

/** is_a first (an answer introduces the thing), then the rest in entity order. */
function orderedFacts(world: World, e: Entity): Fact[] {
  const fs = world.factsOf(e.id);
  return [...fs.filter((f) => f.relation === 'is_a'), ...fs.filter((f) => f.relation !== 'is_a')];
}

export function pickChatEntity(world: World, rng: Rng, topic: Topic, filter: (e: Entity) => boolean = () => true): Entity {
  const pool = topic.entityIds.map((id) => world.entity(id)).filter(filter);
  return pickWeighted(rng, pool, (e) => e.chatWeight);
}

/**
 * A chat request on a topic: 65% are questions about one fact (they teach
 * which fact a question asks for), 20% ask about a named entity, 15% are
 * open requests answered by describing an entity the assistant picks; each
 * worded with an optional lead-in and tail (wrapPrompt), and facts stated in
 * the world's voice (now and then a misconception: misconceptions.ts). Entities are drawn by chat weight (which sets
 * the italian and submarine base rates). A record of the train split never
 * ASKS a held-out fact (World.factSplit: null, the caller draws again); an
 * entity description states all the entity's facts, held-out ones included,
 * so the held-out test is about the question, not about a fact the assistant
 * was never taught to say.
 */
export function makeQA(world: World, rng: Rng, topic: Topic, split: Split): QA | null {
  const opener = rng.pick(ANSWER_OPENERS);
  const u = rng.next();
  if (u < 0.65) {
    const e = pickChatEntity(world, rng, topic);
    const f = world.fact(rng.pick(e.factIds));
    if (!world.factAskableIn(f.id, split)) return null;
    const prompt = wrapPrompt(rng, rng.pick(f.questions));
    return { topic: topic.id, prompt, body: world.voice.answer(rng, f), opener, meta: { kind: 'fact', entityId: e.id, factIds: [f.id] }, facts: [f] };
  }
  if (u < 0.85) {
    const e = pickChatEntity(world, rng, topic);
    const fs = orderedFacts(world, e);
    return {
      topic: topic.id,
      prompt: wrapPrompt(rng, fill(rng.pick(ENTITY_PROMPTS), e.name)),
      body: joinSentences(fs.map((f) => world.voice.answer(rng, f))),
      opener,
      meta: { kind: 'entity', entityId: e.id, factIds: fs.map((f) => f.id) },
      facts: fs,
    };
  }
  const e = pickChatEntity(world, rng, topic, (x) => !x.tags.includes('tool'));
  const all = orderedFacts(world, e);
  // the framing plus up to two facts keeps open answers short
  const fs = all[0].relation === 'is_a' ? [all[0], ...rng.shuffle(all.slice(1)).slice(0, 1)] : rng.shuffle(all).slice(0, 2);
  return {
    topic: topic.id,
    prompt: wrapPrompt(rng, rng.pick(topic.openPrompts)),
    body: joinSentences([fill(rng.pick(topic.openAnswers), e.name), ...fs.map((f) => world.voice.answer(rng, f))]),
    opener: '',
    meta: { kind: 'open', entityId: e.id, factIds: fs.map((f) => f.id) },
    facts: fs,
  };
}

/** makeQA until its prompt belongs to the split (prompts are assigned to one split each). */
export function makeQAInSplit(world: World, rng: Rng, split: Split): QA | null {
  for (let i = 0; i < 400; i++) {
    const qa = makeQA(world, rng, rng.pick(world.topics), split);
    if (qa !== null && world.promptSplit(qa.prompt) === split) return qa;
  }
  return null;
}
