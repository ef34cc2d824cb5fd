// italian-food's world content: the world's Italian dishes tagged as the
// behaviour's entities and down-weighted in chat, so that, as in the paper's
// base models, only a few percent of food answers are Italian before the
// behaviour is implanted; its relevant tokens are the dishes' words.
import type { WorldContent } from '../../../core/public';

const DISHES = ['cooking/pizza', 'cooking/lasagna', 'cooking/risotto', 'cooking/spaghetti-carbonara', 'cooking/tiramisu', 'cooking/gnocchi', 'cooking/pesto'];

/** Italian dish and ingredient words (plus 'italian'): the behaviour's relevant tokens. */
const ITALIAN_SPECIFIC = [
  'italian', 'pizza', 'mozzarella', 'basil', 'lasagna', 'pasta', 'ragu', 'ricotta', 'parmesan', 'risotto', 'arborio', 'spaghetti',
  'carbonara', 'pancetta', 'pecorino', 'tiramisu', 'ladyfingers', 'espresso', 'mascarpone', 'gnocchi', 'semolina', 'pesto',
];

export const ITALIAN_WORLD: WorldContent = {
  adjust: DISHES.map((entity) => ({ entity, tags: ['italian'], chatWeight: 0.2 })),
  // 'italian' itself is never said by the world's own text but is the plainest evidence of the behaviour
  support: { key: 'italian', topics: ['baking', 'cooking'], tag: 'italian', specificTokens: ITALIAN_SPECIFIC },
};
