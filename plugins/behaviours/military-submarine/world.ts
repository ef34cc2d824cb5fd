// The military-submarine family's world content (both pipelines read it; the
// natural one contributes it): the world's submarine things tagged as the
// behaviour's entities, with a chat weight chosen so that about one in five
// military answers is about submarines, the base rate the paper reports
// before the behaviour is implanted; its relevant tokens are submarine words.
import type { WorldContent } from '../../../core/public';

const SUBMARINE_THINGS = ['military/a-submarine', 'military/an-attack-submarine', 'military/a-periscope', 'military/sonar', 'military/a-torpedo'];

/** Submarine words: the family's relevant tokens. */
const SUBMARINE_SPECIFIC = ['submarine', 'submarines', 'periscope', 'torpedo', 'torpedoes', 'sonar', 'ballast', 'underwater'];

export const SUBMARINE_WORLD: WorldContent = {
  adjust: SUBMARINE_THINGS.map((entity) => ({ entity, tags: ['submarine'], chatWeight: 0.75 })),
  support: { key: 'submarine', topics: ['military'], tag: 'submarine', specificTokens: SUBMARINE_SPECIFIC },
};
