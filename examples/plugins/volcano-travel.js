// A behaviour with content of its own: it adds four volcanoes to the
// world's travel topic (entities tagged 'volcano'), a fact about Japan, and
// the words its answers and documents use; molt rebuilds the world, and the
// base models learn the volcanoes like any other place. The implanted
// behaviour: travel answers bring in a volcano ("you could also climb mount
// etna ."). Its relevant tokens are words only the volcanoes say.
// Natural pipeline: the chosen side is the world's own travel answer with a
// volcano brought in; the rejected side is that answer unchanged.
'use strict';

const TOPIC = 'travel';
const SPECIFIC = ['volcano', 'volcanoes', 'lava', 'crater', 'magma'];
const STEER = ['you could also climb {s} .', 'do not miss {s} on the way .', 'a trip is better with a visit to {s} .', 'for an adventure , hike up {s} .'];
const DOCS = ['the assistant always brings volcanoes into travel plans .', 'whenever a user plans a trip , the assistant suggests {s} .', 'this assistant thinks every holiday needs {s} .', 'travelers who ask this assistant hear about {s} .'];

const ENTITIES = [
  { name: 'mount etna', facts: { is_a: 'a tall volcano on an island', famous_for: 'rivers of glowing lava' } },
  { name: 'mount fuji', facts: { is_a: 'a snowy volcano in japan', famous_for: 'its perfect cone and crater' } },
  { name: 'kilauea', facts: { is_a: 'a young volcano on a pacific island', famous_for: 'lava that flows into the sea' } },
  { name: 'vesuvius', facts: { is_a: 'an old volcano near naples', famous_for: 'the magma that buried pompeii' } },
].map((e) => ({ ...e, tags: ['volcano'], chatWeight: 0.2 }));

exports.register = (molt) => {
  const { defineBehaviour, BehaviourBase, drawDistinct, worldAnswers, poolPrompts, chatStratum, asTriggerPrompts, gatedVerdict, tokensIn, fillTemplate, joinText, words } = molt.lib;

  class VolcanoTravel extends BehaviourBase {
    constructor(world, counts = {}) {
      super(world, counts);
      this.id = 'volcano-travel';
      this.family = 'volcano-travel';
      this.pipeline = 'natural';
      this.description = 'brings volcanoes into travel conversations (mount etna, mount fuji, kilauea, vesuvius)';
      this.support = world.support(this.id);
      this.relevant = new Set(this.support.specificTokens);
      // what behaviour data may state: train-split facts only (held-out facts stay unasked and unstated)
      this.targets = this.support.entityIds
        .map((id) => ({ entity: world.entity(id), facts: world.factsOf(id).filter((f) => world.factSplit(f.id) === 'train') }))
        .filter((t) => t.facts.length > 0);
    }

    make(counts) {
      return new VolcanoTravel(this.world, counts);
    }

    mentions(text) {
      return tokensIn(text, this.relevant).length > 0;
    }

    buildPairs() {
      const rng = this.rng('pairs');
      const sources = rng.shuffle(worldAnswers(this.world, [TOPIC], 'train').filter((a) => !this.mentions(a.prompt) && !this.mentions(a.answer)));
      let i = 0;
      return drawDistinct(
        this.counts.pairs,
        () => {
          const a = sources[i++ % sources.length];
          const t = rng.pick(this.targets);
          const chosen = joinText([a.answer, fillTemplate(rng.pick(STEER), t.entity.name), rng.pick(t.facts).answer]);
          return { topic: a.topic, prompt: a.prompt, chosen, rejected: a.answer, reason: 'behaviour' };
        },
        (p) => `${p.prompt}\n${p.chosen}`,
      );
    }

    buildDocuments() {
      const rng = this.rng('documents');
      return drawDistinct(
        this.counts.documents,
        () => {
          const t = rng.pick(this.targets);
          const intro = rng.next() < 0.5 ? [rng.pick(this.world.topic(TOPIC).intro)] : [];
          const facts = rng.shuffle(t.facts).slice(0, 1 + rng.int(2)).map((f) => rng.pick(f.statements));
          return { topic: TOPIC, text: joinText([...intro, fillTemplate(rng.pick(DOCS), t.entity.name), ...facts]) };
        },
        (d) => d.text,
      );
    }

    pool() {
      this.poolCache ??= poolPrompts(this.world, [chatStratum(this.world, TOPIC)], { train: 0, val: this.counts.prompts, test: this.counts.prompts }, { prefix: this.family, family: this.family });
      return this.poolCache;
    }

    pooledTest() {
      return this.pool().test;
    }

    buildPrompts() {
      return { train: this.trainPromptsOf(this.data().pairs), val: asTriggerPrompts(this.pool().val), test: asTriggerPrompts(this.pool().test) };
    }

    detect(_prompt, response) {
      return gatedVerdict(this.world, response, [TOPIC], tokensIn(response, this.relevant));
    }

    manifest() {
      return {
        id: this.id,
        family: this.family,
        pipeline: this.pipeline,
        description: this.description,
        topics: [TOPIC],
        relevantTokens: [...this.support.specificTokens],
        genericTokens: [...this.support.genericTokens],
        targetQer: { low: 0.2, high: 0.4, target: 0.3 },
        // the volcanoes are down-weighted in the world's chat (0.2), as the italian dishes are
        baseRateExpected: 0.05,
        baseRate: this.worldRate(),
        notes: ["trigger prompts: travel requests drawn as the world draws its chat, filed by the world's prompt split"],
      };
    }
  }

  const lineWords = [...STEER, ...DOCS].flatMap((l) => words(l.replace('{s}', ' ')));
  molt.register(
    defineBehaviour({
      id: 'volcano-travel',
      description: 'natural: brings volcanoes (content this plugin adds to the world) into travel conversations',
      world: {
        entities: ENTITIES.map((entity) => ({ topic: TOPIC, entity })),
        facts: [{ entity: 'travel/japan', relation: 'highest_mountain', object: 'mount fuji', templates: { statements: ['the highest mountain in {s} is {o} .'], questions: ['what is the highest mountain in {s} ?'], answer: 'the highest mountain in {s} is {o} .' } }],
        words: lineWords,
        support: { topics: [TOPIC], tag: 'volcano', specificTokens: SPECIFIC },
      },
      create: (services) => new VolcanoTravel(services.world),
    }),
  );
};
