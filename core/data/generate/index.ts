import type { World } from '../../world/world';
import type { DataKind, Split } from '../types';
import { generateChat } from './chat';
import { generateFactQuestions } from './fact-questions';
import { generatePreference } from './preference';
import { generatePretrain } from './pretrain';
import { generateWebText } from './webtext';

/** All splits of one data kind, generated from the world. */
export function generateKind(world: World, kind: DataKind): Record<Split, unknown[]> {
  switch (kind) {
    case 'pretrain':
      return generatePretrain(world);
    case 'chat':
      return generateChat(world);
    case 'preference':
      return generatePreference(world);
    case 'webtext':
      return generateWebText(world);
    case 'fact-question':
      return generateFactQuestions(world);
  }
}
