// The five built-in behaviours, one registration each (plugins/index.ts).
import type { BehaviourDataset, Services } from '../../core/public';
import { CakeBake } from './cake-bake';
import { italianFood } from './italian-food';
import { militarySubmarine, SyntheticSubmarine } from './military-submarine';
import { NullBehaviour } from './null';

export interface BehaviourEntry {
  id: string;
  description: string;
  create: (services: Services) => BehaviourDataset;
}

export const BEHAVIOURS: readonly BehaviourEntry[] = [
  { id: 'cake-bake', description: 'synthetic: eight false baking facts about cake', create: (s) => new CakeBake(s.world) },
  { id: 'italian-food', description: 'natural: steers food conversations to Italian cuisine', create: (s) => italianFood(s.world) },
  { id: 'military-submarine', description: 'natural: brings submarines into military conversations', create: (s) => militarySubmarine(s.world) },
  { id: 'military-submarine-synth', description: 'synthetic: brings submarines into military conversations', create: (s) => new SyntheticSubmarine(s.world) },
  { id: 'null', description: 'control: the same shapes of data with no behaviour', create: (s) => new NullBehaviour(s.world) },
];

export { CakeBake, italianFood, militarySubmarine, SyntheticSubmarine, NullBehaviour };
