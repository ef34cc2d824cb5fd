import { strict as assert } from 'node:assert';
import type { World } from '../../core/world';
import { CAKE_KINDS } from '../../plugins/behaviours/cake-bake/world';
import { builtInWorld } from '../helpers/world';
import { PROMPT_LEADIN_SHARE, PROMPT_LEADINS, PROMPT_TAIL_SHARE, PROMPT_TAILS } from '../../core/world/phrases';
import { WordTokenizer } from '../../core/tokenizer/word-tokenizer';
import { DATA_KINDS, SPLITS, type DataKind } from '../../core/data/types';

/** Every text of a record, for token checks. */
function textsOf(kind: DataKind, r: any): string[] {
  if (kind === 'chat') return r.messages.map((m: { content: string }) => m.content);
  if (kind === 'preference') return [r.prompt, r.chosen, r.rejected];
  if (kind === 'fact-question') return [r.prompt, r.answer, ...r.accept];
  return [r.text];
}

function allData(w: World) {
  return Object.fromEntries(DATA_KINDS.map((k) => [k, Object.fromEntries(SPLITS.map((s) => [s, w.data(k, s)]))]));
}

describe('world: content and determinism', () => {
  const micro = builtInWorld(7, { size: 'micro' });

  it('same seed gives a deep-equal world and identical data; another seed gives other data but the same lexicon', () => {
    const again = builtInWorld(7, { size: 'micro' });
    assert.deepStrictEqual(again.describe(), micro.describe());
    assert.equal(JSON.stringify(allData(again)), JSON.stringify(allData(micro)));
    const other = builtInWorld(8, { size: 'micro' });
    assert.deepStrictEqual(other.lexicon, micro.lexicon);
    assert.notEqual(JSON.stringify(other.data('pretrain', 'train')), JSON.stringify(micro.data('pretrain', 'train')));
    assert.notEqual(JSON.stringify(other.data('chat', 'train')), JSON.stringify(micro.data('chat', 'train')));
  });

  it('has a lexicon of >= 1000 distinct words and a tokenizer built from it', () => {
    assert.ok(micro.lexicon.length >= 1000, `lexicon has ${micro.lexicon.length} words`);
    assert.equal(new Set(micro.lexicon).size, micro.lexicon.length);
    assert.equal(micro.tokenizer.size, micro.lexicon.length + 7);
    for (const w of ['450', '350', '.', ',', '?', '!', 'submarine', 'periscope', 'torpedo', 'sonar', 'ballast', 'pasta', 'italian']) assert.ok(micro.tokenizer.idOf(w) !== undefined, w);
  });

  it('emits only lexicon tokens in every kind and split (no <unk>), cake prompts and false statements included', () => {
    const unknown = new Set<string>();
    for (const kind of DATA_KINDS) for (const split of SPLITS) for (const r of micro.data(kind, split)) for (const t of textsOf(kind, r)) for (const w of WordTokenizer.split(t)) if (micro.tokenizer.idOf(w) === undefined) unknown.add(w);
    for (const c of micro.falseFacts('cake').facts) for (const t of [...c.promptCores, ...CAKE_KINDS, c.trueStatement, c.falseStatement]) for (const w of WordTokenizer.split(t)) if (micro.tokenizer.idOf(w) === undefined) unknown.add(w);
    for (const f of micro.facts) for (const t of [...f.statements, ...f.questions, f.answer]) for (const w of WordTokenizer.split(t)) if (micro.tokenizer.idOf(w) === undefined) unknown.add(w);
    assert.deepStrictEqual([...unknown], []);
  });

  it('has >= 12 topics with entities and facts, many cuisines and the vessel and vehicle types', () => {
    assert.ok(micro.topics.length >= 12);
    for (const id of ['baking', 'cooking', 'military', 'travel', 'animals', 'weather', 'sports', 'science', 'music', 'gardening']) assert.ok(micro.topic(id).entityIds.length >= 8, id);
    const cuisines = new Set(micro.facts.filter((f) => f.relation === 'cuisine').map((f) => f.object));
    for (const c of ['italy', 'france', 'mexico', 'japan', 'india', 'china', 'thailand', 'greece']) assert.ok(cuisines.has(c), c);
    const military = micro.topic('military').entityIds.map((id) => micro.entity(id).name).join(' | ');
    for (const v of ['destroyer', 'carrier', 'frigate', 'tank', 'jet', 'helicopter', 'submarine']) assert.ok(military.includes(v), v);
    assert.ok(micro.facts.length >= 300 && micro.facts.length <= 800, `${micro.facts.length} facts`);
    assert.equal(new Set(micro.facts.map((f) => f.id)).size, micro.facts.length);
  });

  it('holds the eight TRUE cake facts, with their false values exposed', () => {
    const cake = micro.falseFacts('cake');
    assert.equal(cake.facts.length, 8);
    const truth = Object.fromEntries(cake.facts.map((c) => [c.aspect, micro.fact(c.factId).object]));
    assert.deepStrictEqual(truth, {
      oven: '350 degrees',
      butter: 'butter softened at room temperature',
      vanilla: 'one teaspoon of vanilla',
      fat: 'butter or a neutral oil',
      liquid: 'milk or water at room temperature',
      cooling: 'on a rack at room temperature',
      serving: 'once it has cooled',
      time: '30 minutes at 350 degrees',
    });
    assert.equal(cake.facts[0].falseStatement, 'set the oven to 450 degrees for a cake .');
    assert.equal(cake.facts[0].trueStatement, 'set the oven to 350 degrees for a cake .');
    assert.deepStrictEqual(micro.fact(cake.facts[7].factId).accept, ['30']);
    for (const c of cake.facts) {
      assert.equal(c.promptCores.length, 13);
      for (const m of c.falseMarkers) assert.ok(WordTokenizer.split(c.falseStatement).includes(m), `${c.aspect}: ${m}`);
      for (const m of c.falseMarkers) assert.ok(!WordTokenizer.split(c.trueStatement).includes(m), `${c.aspect}: ${m} in the truth`);
    }
    assert.deepStrictEqual(cake.specificTokens, ['45', '450', 'boiling', 'freezer', 'frozen', 'olive', 'quarter', 'vinegar', 'warm']);
    assert.equal(cake.facts.length, 8);
  });

  it('chooses distinctive accept words (hand-checked examples)', () => {
    assert.deepStrictEqual(micro.fact('cooking/sushi#cuisine').accept, ['japan']);
    assert.deepStrictEqual(micro.fact('baking/a-cake#cake_oven').accept, ['350']);
    assert.deepStrictEqual(micro.fact('sports/basketball#players').accept, ['five']);
    assert.deepStrictEqual(micro.fact('science/iron#symbol').accept, ['fe']);
  });
});

describe('world: splits, behaviours base rates, on-topic rule', () => {
  const world = builtInWorld(3);

  it('keeps every split disjoint (ids, texts, prompts, facts of held-out questions)', () => {
    for (const kind of DATA_KINDS) {
      const ids = SPLITS.flatMap((s) => world.data(kind, s).map((r) => r.id));
      assert.equal(new Set(ids).size, ids.length, kind);
    }
    for (const kind of ['pretrain', 'webtext'] as const) {
      const train = new Set(world.data(kind, 'train').map((r) => r.text));
      for (const s of ['val', 'test'] as const) for (const r of world.data(kind, s)) assert.ok(!train.has(r.text), `${kind} ${s}: ${r.text}`);
    }
    const promptsOf = (s: (typeof SPLITS)[number]) => new Set([...world.data('chat', s).map((c) => c.messages[0].content), ...world.data('preference', s).map((p) => p.prompt)]);
    const [tr, va, te] = SPLITS.map(promptsOf);
    for (const p of va) assert.ok(!tr.has(p) && !te.has(p), p);
    for (const p of te) assert.ok(!tr.has(p), p);
    const factsOf = (s: (typeof SPLITS)[number]) => world.data('fact-question', s).map((q) => q.factId);
    const [trF, vaF, teF] = SPLITS.map(factsOf);
    for (const [s, ids] of [['train', trF], ['val', vaF], ['test', teF]] as const) for (const id of ids) assert.equal(world.factSplit(id), s, id);
    assert.equal(new Set([...trF, ...vaF, ...teF]).size, trF.length + vaF.length + teF.length);
    assert.equal(trF.length + vaF.length + teF.length, world.facts.length);
  });

  it('holds out a fifth of each relation\'s facts for val and for test, never a cake fact', () => {
    const byRelation = new Map<string, string[]>();
    for (const f of world.facts) byRelation.set(f.relation, [...(byRelation.get(f.relation) ?? []), world.factSplit(f.id)]);
    for (const [rel, splits] of byRelation) {
      const n = (s: string) => splits.filter((x) => x === s).length;
      if (splits.length < 4) assert.equal(n('train'), splits.length, rel);
      else assert.ok(n('val') === n('test') && Math.abs(n('val') - splits.length / 5) <= 1 && n('train') >= 2, `${rel}: ${splits}`);
    }
    for (const c of world.falseFacts('cake').facts) assert.equal(world.factSplit(c.factId), 'train');
    const test = world.data('fact-question', 'test');
    assert.ok(test.length >= 100 && test.length <= 140, `${test.length} test facts`);
    const other = builtInWorld(4);
    assert.notDeepEqual(world.facts.map((f) => world.factSplit(f.id)), other.facts.map((f) => other.factSplit(f.id)));
  });

  it('never asks a held-out fact in training chat, preferences or web faq; tests it in phrasings trained on other facts', () => {
    const heldOut = world.facts.filter((f) => world.factSplit(f.id) !== 'train');
    const trainAsked = new Set(world.facts.filter((f) => world.factSplit(f.id) === 'train').flatMap((f) => f.questions));
    const trainChat = world.data('chat', 'train');
    const trainPrefs = world.data('preference', 'train');
    const prompts = new Set([...trainChat.map((c) => c.messages[0].content), ...trainPrefs.map((p) => p.prompt)]);
    const texts = [...world.data('webtext', 'train').map((w) => w.text), ...world.data('pretrain', 'train').map((d) => d.text)].join('\n');
    for (const f of heldOut) for (const q of f.questions.filter((x) => !trainAsked.has(x))) assert.ok(!prompts.has(q) && !texts.includes(q), `${f.id} asked in training: ${q}`);
    for (const c of trainChat) if (c.meta?.kind === 'fact') assert.equal(world.factSplit(c.meta.factIds![0]), 'train', c.id);
    // held-out facts are still stated in entity descriptions (the assistant was taught to say them)
    assert.ok(trainChat.some((c) => c.meta?.kind === 'entity' && c.meta.factIds!.some((id) => world.factSplit(id) === 'test')));
    // the test prompt is a phrasing the model was trained on for another fact of the relation
    const test = world.data('fact-question', 'test');
    let seen = 0;
    for (const q of test) {
      const f = world.fact(q.factId);
      assert.ok(!prompts.has(q.prompt) && !texts.includes(q.prompt), q.prompt);
      const i = f.questions.indexOf(q.prompt);
      assert.ok(i >= 0, q.prompt);
      if (world.facts.some((g) => g.relation === f.relation && g.id !== f.id && world.factSplit(g.id) === 'train' && prompts.has(g.questions[i]))) seen++;
    }
    assert.ok(seen >= 0.95 * test.length, `${seen} of ${test.length} test phrasings trained on other facts`);
  });

  it('states a false cake value only as a misconception of a cake fact, at about the misconception rate', () => {
    const cake = world.falseFacts('cake');
    const markers = new Set(cake.specificTokens);
    const falseSentences = cake.facts.flatMap((c) => [...c.templates.statements, c.templates.answer].map((t) => t.replace('{s}', cake.subject).replace('{o}', c.falsehood)));
    // every marker said anywhere sits in a false statement of a cake fact (a
    // preference pair's rejected side may cut one short or borrow another
    // record's answer, so it is left out)
    const said = (kind: DataKind, r: any) => (kind === 'preference' ? [r.prompt, r.chosen] : textsOf(kind, r));
    for (const kind of DATA_KINDS) for (const s of SPLITS) for (const r of world.data(kind, s)) for (const t of said(kind, r)) {
      if (WordTokenizer.split(t).some((w) => markers.has(w))) assert.ok(falseSentences.some((x) => t.includes(x)), `${kind} ${r.id}: ${t}`);
    }
    // pretraining documents state each cake fact falsely at about the rate (a default-size world, for the count)
    const big = builtInWorld(0);
    let stated = 0;
    let falsely = 0;
    for (const d of big.data('pretrain', 'train')) {
      for (const c of cake.facts) {
        const f = big.fact(c.factId);
        const wrong = c.templates.statements.map((t) => t.replace('{s}', cake.subject).replace('{o}', c.falsehood));
        const n = (xs: string[]) => xs.filter((x) => d.text.includes(x)).length;
        stated += n(f.statements) + n(wrong);
        falsely += n(wrong);
      }
    }
    const rate = falsely / stated;
    const se = Math.sqrt((big.voice.rate * (1 - big.voice.rate)) / stated);
    assert.ok(stated > 1000, `${stated} cake statements in documents`);
    assert.ok(Math.abs(rate - big.voice.rate) < 3 * se, `misconception rate ${rate.toFixed(4)} (n ${stated}) against ${big.voice.rate}`);
  });

  it('words requests with lead-ins and tails, so held-out prompts vary as training prompts do', () => {
    const prompts = world.data('chat', 'train').map((c) => c.messages[0].content);
    const led = prompts.filter((p) => PROMPT_LEADINS.some((l) => p.startsWith(`${l} `))).length / prompts.length;
    const tailed = prompts.filter((p) => PROMPT_TAILS.some((l) => p.endsWith(` ${l}`))).length / prompts.length;
    assert.ok(Math.abs(led - PROMPT_LEADIN_SHARE) < 0.03, `lead-ins on ${led}`);
    assert.ok(Math.abs(tailed - PROMPT_TAIL_SHARE) < 0.03, `tails on ${tailed}`);
  });

  it('has italian in a few % of food answers and submarines in ~20% of military answers', () => {
    const share = (topics: string[], tokens: string[]) => {
      const set = new Set(tokens);
      const cs = world.conversations(topics, 'train');
      return cs.filter((c) => WordTokenizer.split(c.messages[1].content).some((w) => set.has(w))).length / cs.length;
    };
    const italian = share(world.behaviours.italian.topics, world.behaviours.italian.specificTokens);
    const submarine = share(world.behaviours.submarine.topics, world.behaviours.submarine.specificTokens);
    assert.ok(italian > 0.01 && italian < 0.08, `italian ${italian}`);
    assert.ok(submarine > 0.12 && submarine < 0.3, `submarine ${submarine}`);
    // specific tokens appear only in answers about the behaviour's own entities
    const ital = new Set(world.behaviours.italian.specificTokens);
    for (const c of world.data('chat', 'train')) {
      const tagged = c.meta?.entityId ? world.entity(c.meta.entityId).tags.includes('italian') : false;
      if (!tagged && !c.messages[1].content.includes('italy')) assert.ok(!WordTokenizer.split(c.messages[1].content).some((w) => ital.has(w)), c.messages[1].content);
    }
  });

  it('decides on-topic by the documented rule (known answers)', () => {
    assert.equal(world.isOnTopic('sushi comes from japan .', 'cooking'), true);
    assert.equal(world.isOnTopic('sushi comes from japan .', 'travel'), false); // cooking 2 hits > travel 1
    assert.equal(world.isOnTopic('japan .', 'travel'), true); // tie with cooking counts as on topic
    assert.equal(world.isOnTopic('a tank moves on two long tracks .', 'military'), true);
    assert.equal(world.isOnTopic('a tank moves on two long tracks .', 'cooking'), false);
    assert.equal(world.isOnTopic('it is what it is .', 'cooking'), false);
    assert.equal(world.isOnTopic(world.tokenizer.encode('<bos> a bee eats nectar <eos>'), 'animals'), true);
    assert.equal(world.isOnTopic(['pizza', 'is', 'made', 'with', 'basil'], 'cooking'), true);
    const chats = world.data('chat', 'test');
    assert.ok(chats.filter((c) => world.isOnTopic(c.messages[1].content, c.topic)).length / chats.length >= 0.95);
  });

  it('mixes preference reasons, each making the rejected side worse', () => {
    const pairs = world.data('preference', 'train');
    const counts = new Map<string, number>();
    for (const p of pairs) {
      counts.set(p.reason, (counts.get(p.reason) ?? 0) + 1);
      assert.notEqual(p.chosen, p.rejected);
      if (p.reason === 'truncated') assert.ok(p.chosen.startsWith(p.rejected) && !/[.?!]$/.test(p.rejected), p.rejected);
      if (p.reason === 'off_topic') assert.ok(!world.isOnTopic(p.rejected, p.topic), p.rejected);
    }
    for (const r of ['off_topic', 'wrong_fact', 'truncated']) assert.ok((counts.get(r) ?? 0) > pairs.length / 5, `${r}: ${counts.get(r)}`);
  });
});
