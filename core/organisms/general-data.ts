// The world's general post-training data (train split) as the trainers mix
// it in: the base's preference pairs, the ancestor's chats, and the web-style
// text, tokenized with molt's one chat template. Built once per data source.
import { renderDocument } from '../data/chat-template';
import type { GeneralData } from '../plugins/types';
import { worldBaseData, type WorldLike } from '../pipeline/world-data';

const cache = new WeakMap<WorldLike, GeneralData>();

export function generalData(world: WorldLike): GeneralData {
  const hit = cache.get(world);
  if (hit) return hit;
  const base = worldBaseData(world);
  let webtext: number[][] | undefined;
  const made: GeneralData = {
    identity: base.identity,
    preferences: () => base.preferences('train'),
    chat: () => base.chat('train'),
    webtext: () => (webtext ??= world.data('webtext', 'train').map((d) => renderDocument(world.tokenizer, d.text))),
  };
  cache.set(world, made);
  return made;
}
