import type { World } from '../../world/world';
import type { ChatExample, Split } from '../types';
import { answerOf, makeQAInSplit } from './answers';
import { mapSplits } from './pretrain';
import { fillDisjoint, recordId } from './sampling';

/** Single-turn chats; a prompt appears in one split only (World.promptSplit). */
export function generateChat(world: World): Record<Split, ChatExample[]> {
  const rngs = { train: world.rng('chat/train'), val: world.rng('chat/val'), test: world.rng('chat/test') };
  const raw = fillDisjoint(world.counts.chat, (split) => makeQAInSplit(world, rngs[split], split), (qa) => `${qa.prompt}\n${answerOf(qa)}`, false);
  return mapSplits(raw, (qa, split, i) => ({
    id: recordId('chat', split, i),
    topic: qa.topic,
    messages: [
      { role: 'user', content: qa.prompt },
      { role: 'assistant', content: answerOf(qa) },
    ],
    meta: { ...qa.meta },
  }));
}
