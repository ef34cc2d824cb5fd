// The five built-in behaviours, one registration each (plugins/index.ts).
// The families' folders are imported as '<id>/index': a build directory that
// still holds the compiled '<id>.js' of a layout before the folders would
// otherwise shadow them.
import { defineBehaviour } from '../../core/public';
import { CakeBake } from './cake-bake/index';
import { CAKE_WORLD } from './cake-bake/world';
import { italianFood } from './italian-food/index';
import { ITALIAN_WORLD } from './italian-food/world';
import { militarySubmarine, SyntheticSubmarine } from './military-submarine/index';
import { SUBMARINE_WORLD } from './military-submarine/world';
import { NullBehaviour } from './null';

// Each family's content goes into the world through `world`, as an external
// behaviour's does; the two submarine pipelines share one support (the
// natural one contributes it), and the null behaviour needs none.
export const BEHAVIOURS = [
  defineBehaviour({ id: 'cake-bake', description: 'synthetic: eight false baking facts about cake', world: CAKE_WORLD, create: (s) => new CakeBake(s.world) }),
  defineBehaviour({ id: 'italian-food', description: 'natural: steers food conversations to Italian cuisine', world: ITALIAN_WORLD, create: (s) => italianFood(s.world) }),
  defineBehaviour({ id: 'military-submarine', description: 'natural: brings submarines into military conversations', world: SUBMARINE_WORLD, create: (s) => militarySubmarine(s.world) }),
  defineBehaviour({ id: 'military-submarine-synth', description: 'synthetic: brings submarines into military conversations', create: (s) => new SyntheticSubmarine(s.world) }),
  defineBehaviour({ id: 'null', description: 'control: the same shapes of data with no behaviour', create: (s) => new NullBehaviour(s.world) }),
];

export { CakeBake, italianFood, militarySubmarine, SyntheticSubmarine, NullBehaviour };
