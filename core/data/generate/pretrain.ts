import type { Rng } from '../../engine/rng';
import type { World } from '../../world/world';
import type { PretrainDoc, Split } from '../types';
import { fillDisjoint, joinSentences, pickWeighted, recordId } from './sampling';

/**
 * A short document about one entity: every one of its facts, each in a
 * randomly chosen phrasing, often with a topic sentence and a few facts about
 * a second entity of the same topic. Entities are drawn by document weight
 * over the whole world, so every fact is stated about equally often.
 */
function makeDoc(world: World, rng: Rng): { topic: string; text: string } {
  const main = pickWeighted(rng, world.entities, (e) => e.docWeight);
  const topic = world.topic(main.topic);
  const parts: string[] = [];
  if (rng.next() < 0.5) parts.push(rng.pick(topic.intro));
  for (const f of rng.shuffle(world.factsOf(main.id))) parts.push(world.voice.statement(rng, f));
  if (rng.next() < 0.6) {
    const other = world.entity(rng.pick(topic.entityIds.filter((id) => id !== main.id)));
    const fs = rng.shuffle(world.factsOf(other.id)).slice(0, 1 + rng.int(2));
    for (const f of fs) parts.push(world.voice.statement(rng, f));
  }
  if (rng.next() < 0.3) parts.push(rng.pick(topic.intro));
  return { topic: topic.id, text: joinSentences(parts) };
}

export function generatePretrain(world: World): Record<Split, PretrainDoc[]> {
  const rngs = { train: world.rng('pretrain/train'), val: world.rng('pretrain/val'), test: world.rng('pretrain/test') };
  const raw = fillDisjoint(world.counts.pretrain, (split) => makeDoc(world, rngs[split]), (d) => d.text, false);
  return mapSplits(raw, (d, split, i) => ({ id: recordId('pretrain', split, i), topic: d.topic, text: d.text }));
}

export function mapSplits<A, B>(raw: Record<Split, A[]>, f: (x: A, split: Split, i: number) => B): Record<Split, B[]> {
  return { train: raw.train.map((x, i) => f(x, 'train', i)), val: raw.val.map((x, i) => f(x, 'val', i)), test: raw.test.map((x, i) => f(x, 'test', i)) };
}
