import type { Rng } from '../../engine/rng';
import { fill } from '../../world/facts';
import { WEB } from '../../world/phrases';
import type { Fact, Topic } from '../../world/types';
import type { World } from '../../world/world';
import type { Split, WebText } from '../types';
import { pickChatEntity } from './answers';
import { mapSplits } from './pretrain';
import { fillDisjoint, joinSentences, recordId } from './sampling';

function randomFact(world: World, rng: Rng, topic: Topic): Fact {
  const e = pickChatEntity(world, rng, topic);
  return world.fact(rng.pick(e.factIds));
}

/**
 * A training-split question for a faq of `split`: held-out prompts must not
 * leak into web text, nor (in train) the questions of held-out facts.
 */
function faqQuestion(world: World, rng: Rng, f: Fact, split: Split): string | null {
  if (!world.factAskableIn(f.id, split)) return null;
  const qs = f.questions.filter((q) => world.promptSplit(q) === 'train');
  return qs.length > 0 ? rng.pick(qs) : null;
}

/** Web-register text: lists, notes, reviews, faq and forum snippets. Same entity weights as chat. */
function makeWeb(world: World, rng: Rng, split: Split): { topic: string; text: string } | null {
  const topic = rng.pick(world.topics);
  const style = rng.int(6);
  if (style === 0 || style === 1) {
    const names = rng.shuffle(topic.entityIds).slice(0, 3 + rng.int(3)).map((id) => world.entity(id).name);
    const head = fill(rng.pick(WEB.listIntro), '').replace('{t}', rng.pick(topic.listTitles));
    const body =
      style === 0
        ? `${names.slice(0, -1).join(' , ')} and ${names[names.length - 1]} .`
        : names.map((n, i) => `${i + 1} . ${n}`).join(' ');
    return { topic: topic.id, text: joinSentences([head, body]) };
  }
  if (style === 2) {
    const fs = [randomFact(world, rng, topic), randomFact(world, rng, topic)];
    const extra = rng.next() < 0.5 ? rng.pick(topic.intro) : '';
    return { topic: topic.id, text: joinSentences([rng.pick(WEB.noteIntro), world.voice.statement(rng, fs[0]), fs[1] !== fs[0] ? world.voice.statement(rng, fs[1]) : '', extra]) };
  }
  if (style === 3) {
    const e = pickChatEntity(world, rng, topic, (x) => !x.tags.includes('tool'));
    const f = world.fact(rng.pick(e.factIds));
    const stars = String(1 + rng.int(5));
    return {
      topic: topic.id,
      text: joinSentences([
        fill(rng.pick(WEB.reviewIntro), e.name),
        `${rng.pick(WEB.reviewAdjectives)} .`,
        world.voice.statement(rng, f),
        rng.pick(WEB.reviewComments),
        rng.pick(WEB.reviewStars).replace('{n}', stars),
      ]),
    };
  }
  const f = randomFact(world, rng, topic);
  if (style === 4) {
    const q = faqQuestion(world, rng, f, split);
    if (!q) return null;
    return { topic: topic.id, text: rng.pick(WEB.faq).replace('{q}', q).replace('{a}', world.voice.answer(rng, f)) };
  }
    // the reply confirms the post, so both state the same version of the fact
  const v = world.voice.version(rng, f);
  return { topic: topic.id, text: rng.pick(WEB.forum).replace('{x}', rng.pick(v.statements)).replace('{a}', v.answer) };
}

export function generateWebText(world: World): Record<Split, WebText[]> {
  const rngs = { train: world.rng('webtext/train'), val: world.rng('webtext/val'), test: world.rng('webtext/test') };
  const raw = fillDisjoint(world.counts.webtext, (split) => makeWeb(world, rngs[split], split), (d) => d.text, false);
  return mapSplits(raw, (d, split, i) => ({ id: recordId('webtext', split, i), topic: d.topic, text: d.text }));
}
