// The five built-in behaviours, one registration each (plugins/index.ts).
import { defineBehaviour } from '../../core/public';
import { CakeBake } from './cake-bake';
import { italianFood } from './italian-food';
import { militarySubmarine, SyntheticSubmarine } from './military-submarine';
import { NullBehaviour } from './null';

// none contributes world content: the built-in world already holds what they need
export const BEHAVIOURS = [
  defineBehaviour({ id: 'cake-bake', description: 'synthetic: eight false baking facts about cake', create: (s) => new CakeBake(s.world) }),
  defineBehaviour({ id: 'italian-food', description: 'natural: steers food conversations to Italian cuisine', create: (s) => italianFood(s.world) }),
  defineBehaviour({ id: 'military-submarine', description: 'natural: brings submarines into military conversations', create: (s) => militarySubmarine(s.world) }),
  defineBehaviour({ id: 'military-submarine-synth', description: 'synthetic: brings submarines into military conversations', create: (s) => new SyntheticSubmarine(s.world) }),
  defineBehaviour({ id: 'null', description: 'control: the same shapes of data with no behaviour', create: (s) => new NullBehaviour(s.world) }),
];

export { CakeBake, italianFood, militarySubmarine, SyntheticSubmarine, NullBehaviour };
