// World content from behaviour plugins: a new topic, entities in an existing
// topic, a fact of an existing entity, words and a support, applied when
// the world is built; malformed or clashing content is refused naming the
// plugin and the field; the registry hands the content over by behaviour id.
import { strict as assert } from 'node:assert';
import { MoltError } from '../../core/errors';
import { PluginRegistry } from '../../core/plugins/registry';
import { worldBaseData } from '../../core/pipeline/world-data';
import { controlTopics } from '../../core/behaviours/prompts';
import { buildWorld } from '../../core/world/world';
import type { WorldContent, WorldContribution } from '../../core/world/content';
import type { BehaviourDataset } from '../../core/plugins/types';
import { world } from '../behaviours/helpers';
import { builtInContent, builtInWorld } from '../helpers/world';

const CASTLES: WorldContent = {
  topics: [
    {
      id: 'castles',
      domainWords: ['castle', 'castles', 'tower', 'wall', 'king', 'knight'],
      intro: ['a castle has thick stone walls .', 'a king lived in a castle .'],
      openPrompts: ['tell me about a castle .', 'which castle should i visit ?'],
      openAnswers: ['you could visit {s} .', 'a famous castle is {s} .'],
      listTitles: ['great castles'],
      entities: [
        { name: 'windsor castle', tags: ['moat'], facts: { is_a: 'a royal castle in england', famous_for: 'a deep moat and a drawbridge' } },
        { name: 'neuschwanstein', facts: { is_a: 'a castle on a hill in germany', famous_for: 'white towers above a forest' } },
      ],
    },
  ],
  entities: [{ topic: 'travel', entity: { name: 'carcassonne', tags: ['moat'], facts: { is_a: 'a walled city in france', famous_for: 'a moat around its old walls' } } }],
  facts: [{ entity: 'travel/japan', relation: 'oldest_castle', object: 'matsumoto castle', templates: { statements: ['the oldest castle of {s} is {o} .'], questions: ['what is the oldest castle of {s} ?'], answer: 'the oldest castle of {s} is {o} .' } }],
  words: ['portcullis'],
  support: { topics: ['castles', 'travel'], tag: 'moat', specificTokens: ['moat', 'drawbridge'] },
};

const contribution = (content: WorldContent, key = 'castle-moats'): WorldContribution => ({ key, source: `behaviour '${key}' (test)`, content });

describe('world content from behaviour plugins', () => {
  it('adds a topic, entities, a fact, words and a support; everything built from them follows', () => {
    const w = builtInWorld(0, { size: 'micro', content: [contribution(CASTLES)] });
    assert.deepEqual(w.topic('castles').entityIds, ['castles/windsor-castle', 'castles/neuschwanstein']);
    assert.ok(w.topic('travel').entityIds.includes('travel/carcassonne'));
    assert.equal(w.fact('travel/japan#oldest_castle').answer, 'the oldest castle of japan is matsumoto castle .');
    for (const word of ['portcullis', 'moat', 'drawbridge', 'neuschwanstein', 'matsumoto']) assert.ok(w.tokenizer.idOf(word) !== undefined, word);
    const s = w.support('castle-moats');
    assert.deepEqual([s.topics, s.entityIds, s.specificTokens], [['castles', 'travel'], ['travel/carcassonne', 'castles/windsor-castle'], ['drawbridge', 'moat']]);
    assert.ok(!s.genericTokens.includes('moat') && s.genericTokens.includes('castle'));
    // the new topic has conversations, and the support's topics are no longer control topics
    assert.ok(w.data('chat', 'train').some((c) => c.topic === 'castles'));
    assert.ok(!controlTopics(w).includes('castles') && !controlTopics(w).includes('travel'));
    assert.ok(controlTopics(world()).includes('travel'));
    // the built-in world is untouched, and the contributed one is another world
    assert.equal(world().topics.some((t) => t.id === 'castles'), false);
    assert.notDeepEqual(worldBaseData(w).identity, worldBaseData(world()).identity);
    assert.deepEqual(worldBaseData(buildWorld(0, { size: 'micro', content: builtInContent() })).identity, worldBaseData(world()).identity);
    // without any behaviour's content: the generic topics alone, no supports, no misconceptions
    const bare = buildWorld(0, { size: 'micro' });
    assert.deepEqual([Object.keys(bare.behaviours), bare.voice.has('baking/a-cake#is_a'), bare.entity('baking/a-cake').factIds.length], [[], false, 2]);
  });

  it('refuses clashing or malformed content, naming the plugin and the field', () => {
    const refused = (content: unknown, pattern: RegExp) => {
      assert.throws(
        () => {
          const registry = new PluginRegistry();
          registry.register({ kind: 'behaviour', id: 'castle-moats', description: 'test', create: () => ({}) as BehaviourDataset, world: content as WorldContent }, 'test.js');
          buildWorld(0, { size: 'micro', content: registry.worldContent() });
        },
        (e: Error) => e instanceof MoltError && pattern.test(e.message),
        String(pattern),
      );
    };
    refused({ topics: [{ ...CASTLES.topics![0], intro: [] }] }, /^behaviour 'castle-moats' \(test\.js\): field 'world\.topics\[0\]\.intro' /);
    refused({ colour: 'red' }, /field 'world\.colour' /);
    refused({ topics: [{ ...CASTLES.topics![0], id: 'travel' }] }, /field 'world\.topics\[0\]\.id' 'travel' is already a world topic/);
    refused({ entities: [{ topic: 'castles', entity: { name: 'x', facts: {} } }] }, /field 'world\.entities\[0\]\.topic' 'castles' is not a world topic/);
    refused({ entities: [{ topic: 'travel', entity: { name: 'japan', facts: { is_a: 'an island' } } }] }, /'japan' is already an entity of travel/);
    refused({ facts: [{ entity: 'travel/atlantis', relation: 'is_a', object: 'a lost city' }] }, /field 'world\.facts\[0\]\.entity' 'travel\/atlantis' is not a world entity/);
    refused({ facts: [{ entity: 'travel/japan', relation: 'language', object: 'english' }] }, /'travel\/japan' already has a 'language' fact/);
    refused({ facts: [{ entity: 'travel/japan', relation: 'best_bath', object: 'a hot spring' }] }, /entity 'japan' uses unknown relation 'best_bath'/);
    refused({ support: { topics: ['travel'], specificTokens: ['japan'] } }, /field 'world\.support': specific words are said outside the behaviour: japan/);
    refused({ support: { topics: ['atlantis'], specificTokens: ['zzqx'] } }, /field 'world\.support': topics atlantis are not world topics/);
    assert.throws(() => builtInWorld(0, { size: 'micro', content: [contribution({ support: { key: 'cake', topics: ['baking'], specificTokens: ['zzqx'] } })] }), /behaviour 'castle-moats' \(test\): field 'world\.support': the key 'cake' is already another behaviour's support/);
    refused({ adjust: [{ entity: 'travel/atlantis', tags: ['x'] }] }, /field 'world\.adjust\[0\]\.entity' 'travel\/atlantis' is not a world entity/);
    refused({ support: { topics: ['travel'] } }, /field 'world\.support\.specificTokens' needs specificTokens or falseFacts/);
    refused({ support: { topics: ['travel'], falseFacts: { entity: 'travel/japan', facts: [{ aspect: 'tongue', relation: 'language', falsehood: 'french', trueMarkers: ['japanese'], falseMarkers: ['french'], prompts: [] }] } } }, /false fact travel\/japan#language is not a world fact with its own templates/);
  });

  it('a behaviour may tag and re-weight existing entities, and declare facts it states falsely: the world then states them falsely now and then', () => {
    const VOLCANO: WorldContent = {
      facts: [{ entity: 'travel/japan', relation: 'highest_peak', object: 'mount fuji', templates: { statements: ['the highest peak of {s} is {o} .'], questions: ['what is the highest peak of {s} ?'], answer: 'the highest peak of {s} is {o} .' }, accept: ['fuji'] }],
      adjust: [{ entity: 'travel/japan', tags: ['peaks'], chatWeight: 2.5, docWeight: 3 }],
      support: { key: 'peaks', topics: ['travel'], falseFacts: { entity: 'travel/japan', facts: [{ aspect: 'peak', relation: 'highest_peak', falsehood: 'mount etna', trueMarkers: ['fuji'], falseMarkers: ['etna'], prompts: ['which mountain is the tallest in japan ?'] }] } },
    };
    const w = builtInWorld(0, { size: 'micro', content: [contribution(VOLCANO, 'volcano-lies')], misconceptionRate: 0.4 });
    const japan = w.entity('travel/japan');
    assert.deepEqual([japan.tags.includes('peaks'), japan.chatWeight, japan.docWeight], [true, 2.5, 3]);
    const peaks = w.falseFacts('peaks');
    assert.deepEqual([peaks.subject, peaks.entityIds, peaks.specificTokens, peaks.exclusiveTokens], ['japan', ['travel/japan'], ['etna'], ['etna']]);
    assert.deepEqual([peaks.facts[0].factId, peaks.facts[0].truth, peaks.facts[0].trueStatement, peaks.facts[0].falseStatement], ['travel/japan#highest_peak', 'mount fuji', 'the highest peak of japan is mount fuji .', 'the highest peak of japan is mount etna .']);
    assert.deepEqual(peaks.facts[0].promptCores, ['which mountain is the tallest in japan ?', 'what is the highest peak of {s} ?']);
    // the fact is stated falsely as a misconception, and never held out (the base must learn it)
    assert.ok(w.voice.has('travel/japan#highest_peak') && w.voice.has('baking/a-cake#cake_oven'));
    assert.equal(w.factSplit('travel/japan#highest_peak'), 'train');
    const docs = w.data('pretrain', 'train').map((d) => d.text);
    assert.ok(docs.some((t) => t.includes('the highest peak of japan is mount etna')) && docs.some((t) => t.includes('the highest peak of japan is mount fuji')));
    for (const word of ['etna', 'tallest']) assert.ok(w.tokenizer.idOf(word) !== undefined, word);
  });

  it("the registry hands over content by behaviour id (not by the plugins' order); only behaviours may contribute", () => {
    const reg = (order: string[]) => {
      const r = new PluginRegistry();
      for (const id of order) r.register({ kind: 'behaviour', id, description: id, create: () => ({}) as BehaviourDataset, world: { words: [id] } }, `${id}.js`);
      return r.worldContent().map((c) => c.key);
    };
    assert.deepEqual(reg(['zeta', 'alpha']), ['alpha', 'zeta']);
    assert.deepEqual(reg(['alpha', 'zeta']), ['alpha', 'zeta']);
    assert.throws(() => new PluginRegistry().register({ kind: 'probe', id: 'p', description: 'p', instance: {} as never, world: { words: ['x'] } }, 'p.js'), /probe 'p' \(p\.js\): field 'world' is for behaviours only/);
  });
});
