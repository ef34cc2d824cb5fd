// The capability question sets: which facts they ask (train + test for the
// report, test alone for held-out recall, val alone for sweeps), in which
// phrasings, never a behaviour's entity, deterministic by the world's seed;
// and JSONL data falling back to its test fact questions, saying so.
import { strict as assert } from 'node:assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JsonlWorld } from '../../core/data/jsonl-world';
import { CAPABILITY_PHRASINGS, generateCapabilityQuestions } from '../../core/data/generate/fact-questions';
import { worldBaseData } from '../../core/pipeline/world-data';
import { builtInWorld } from '../helpers/world';

describe('capability questions', () => {
  const world = builtInWorld(0, { size: 'micro' });
  const sets = generateCapabilityQuestions(world);

  it('all asks train and test facts, heldout its test facts, sweep the val facts: the sweep facts are disjoint from the reported ones', () => {
    const factsOf = (qs: typeof sets.all) => new Set(qs.map((q) => q.factId));
    const splits = (qs: typeof sets.all) => new Set(qs.map((q) => world.factSplit(q.factId)));
    assert.deepEqual([...splits(sets.all)].sort(), ['test', 'train']);
    assert.deepEqual([...splits(sets.heldout)], ['test']);
    assert.deepEqual([...splits(sets.sweep)], ['val']);
    const sweep = factsOf(sets.sweep);
    assert.ok([...factsOf(sets.all)].every((f) => !sweep.has(f)));
    const sweepPrompts = new Set(sets.sweep.map((q) => q.prompt));
    assert.ok(sets.all.every((q) => !sweepPrompts.has(q.prompt)), 'no reported question is worded as a sweep question');
    // heldout is the test-fact part of all, question for question
    assert.deepEqual(sets.heldout.map((q) => [q.factId, q.prompt]), sets.all.filter((q) => world.factSplit(q.factId) === 'test').map((q) => [q.factId, q.prompt]));
  });

  it('leaves out every fact of a behaviour entity (cake, italian, submarine) and keeps all other train and test facts', () => {
    const excluded = new Set([...world.falseFacts('cake').entityIds, ...world.behaviours.italian.entityIds, ...world.behaviours.submarine.entityIds]);
    assert.ok(excluded.size > 0);
    for (const set of Object.values(sets)) assert.ok(set.every((q) => !excluded.has(world.fact(q.factId).entityId)));
    // a train fact with no train-split phrasing cannot be asked
    const eligible = world.facts.filter((f) => !excluded.has(f.entityId) && world.factSplit(f.id) !== 'val' && (world.factSplit(f.id) === 'test' || f.questions.some((q) => world.promptSplit(q) === 'train')));
    const asked = new Set(sets.all.map((q) => q.factId));
    assert.equal(asked.size, eligible.length);
    assert.ok(asked.size >= 400, `${asked.size} facts`);
  });

  it('up to two distinct phrasings per fact: train facts in train-split prompts, held-out facts in phrasings no train fact has', () => {
    const trainAsked = new Set(world.facts.filter((f) => world.factSplit(f.id) === 'train').flatMap((f) => f.questions));
    const perFact = new Map<string, string[]>();
    for (const q of [...sets.all, ...sets.sweep]) perFact.set(q.factId, [...(perFact.get(q.factId) ?? []), q.prompt]);
    for (const [factId, prompts] of perFact) {
      const f = world.fact(factId);
      assert.ok(prompts.length >= 1 && prompts.length <= CAPABILITY_PHRASINGS && new Set(prompts).size === prompts.length);
      for (const p of prompts) {
        assert.ok(f.questions.includes(p));
        if (world.factSplit(factId) === 'train') assert.equal(world.promptSplit(p), 'train');
        else assert.ok(!trainAsked.has(p), `held-out fact ${factId} asked as a train fact is: ${p}`);
      }
    }
    // most facts have two phrasings: ~900 questions over ~460 facts
    assert.ok(sets.all.length > 1.9 * new Set(sets.all.map((q) => q.factId)).size, `${sets.all.length} questions`);
    assert.ok(sets.all.every((q) => q.accept.length > 0 && q.answer === world.fact(q.factId).answer));
  });

  it('is deterministic by the world seed: same seed, same questions; another seed, other phrasings of the same facts', () => {
    assert.deepEqual(generateCapabilityQuestions(builtInWorld(0, { size: 'micro' })), sets);
    const other = generateCapabilityQuestions(builtInWorld(1, { size: 'micro' }));
    assert.notDeepEqual(other.all.map((q) => q.prompt), sets.all.map((q) => q.prompt));
  });

  it('BaseData: the world serves the sets; JSONL data falls back to its test (sweep: val) fact questions and says so', () => {
    const data = worldBaseData(world);
    const all = data.capabilityQuestions('all');
    assert.equal(all.fallback, '');
    assert.equal(all.questions.length, sets.all.length);
    assert.deepEqual(all.questions.map((q) => q.factId), sets.all.map((q) => q.factId));

    const dir = mkdtempSync(join(tmpdir(), 'molt-capability-'));
    const fq = (id: string, factId: string) => JSON.stringify({ id, factId, topic: 't', prompt: 'what is the cat ?', answer: 'a pet', accept: ['pet'] });
    writeFileSync(join(dir, 'fact-question.test.jsonl'), [fq('q1', 'f1'), fq('q2', 'f2')].join('\n') + '\n');
    writeFileSync(join(dir, 'fact-question.val.jsonl'), fq('q3', 'f3') + '\n');
    const jsonl = worldBaseData(new JsonlWorld(dir));
    const fallback = jsonl.capabilityQuestions('all');
    assert.deepEqual(fallback.questions.map((q) => q.factId), ['f1', 'f2']);
    assert.match(fallback.fallback, /no capability question set 'all': its test fact questions stand in/);
    assert.deepEqual(jsonl.capabilityQuestions('sweep').questions.map((q) => q.factId), ['f3']);
  });
});
