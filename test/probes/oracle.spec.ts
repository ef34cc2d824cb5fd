import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tf } from '../../core/engine/tf';
import { initBackend } from '../../core/engine/backend';
import { Rng } from '../../core/engine/rng';
import { ArtifactStore } from '../../core/store/artifact-store';
import type { World } from '../../core/world';
import { builtInWorld } from '../helpers/world';
import { renderChat, renderDocument } from '../../core/data/chat-template';
import type { CausalLM } from '../../core/model/types';
import { train } from '../../core/train/loop';
import { DEFAULT_ADAMW } from '../../core/train/optimizer';
import { resolveProbeSettings } from '../../core/probes/settings';
import type { ProbeContext } from '../../core/probes/types';
import { PLACEHOLDER_START, injectionHook, injectionInterventions, oraclePrefix, placeholderNorms } from '../../plugins/probes/activation-oracle/inject';
import { copyModel, oracleObjective, oracleRow, segmentVectors } from '../../plugins/probes/activation-oracle/train';
import { ORACLE_QUESTIONS, QUERY_KINDS, oracleExamples, substituteValue, wordSpecificity } from '../../plugins/probes/activation-oracle/data';
import { obtainOracle } from '../../plugins/probes/activation-oracle/oracle';
import { isVariantWorld, planVariants, variantExamples } from '../../plugins/probes/activation-oracle/variants';
import { depthHook } from '../../core/probes/capture';
import { olmo2Architecture } from '../../plugins/architectures/olmo2';
import { activationOracleProbe } from '../../plugins/probes/activation-oracle';
import { FAMILIES, quiet, toyBehaviour } from './helpers';

let world: World;
function worldModel(seed = 1): CausalLM {
  return olmo2Architecture.init(olmo2Architecture.config('micro', { vocabSize: world.tokenizer.size }), new Rng(seed));
}

describe('activation oracle (micro)', function () {
  this.timeout(60000);
  before(async () => {
    await initBackend('wasm');
    world = builtInWorld(1, { size: 'micro' });
  });

  it('norm-matched injection adds a vector of norm c*|h| at each placeholder and nothing elsewhere', () => {
    const model = worldModel();
    const tok = world.tokenizer;
    const slots = 3;
    const hook = injectionHook(1);
    const d = model.hiddenSize;
    const rng = new Rng(3);
    // vectors of very different scales: the injected norm must not depend on them
    const vectors = Float32Array.from({ length: slots * d }, (_, j) => rng.normal() * (j < d ? 1000 : 0.001));
    const norms = placeholderNorms(model, tok, slots, hook);
    const ids = oracleRow(tok, slots, 'what is the topic ?').ids;
    const capture = (interventions = injectionInterventions(hook, vectors, d, norms, 0.5)) =>
      tf.tidy(() => model.forward(tf.tensor2d([ids], [1, ids.length], 'int32'), { capture: [hook], interventions }).captured.get(hook)!.arraySync()[0]);
    const plain = tf.tidy(() => model.forward(tf.tensor2d([ids], [1, ids.length], 'int32'), { capture: [hook] }).captured.get(hook)!.arraySync()[0]);
    const injected = capture();
    for (let t = 0; t < ids.length; t++) {
      const diff = Math.hypot(...injected[t].map((v, i) => v - plain[t][i]));
      const slot = t - PLACEHOLDER_START;
      if (slot >= 0 && slot < slots) {
        assert.ok(Math.abs(diff - 0.5 * norms[slot]) < 1e-3 * norms[slot], `position ${t}: ${diff} vs ${0.5 * norms[slot]}`);
        // |h| at the placeholder is the norm of the un-injected activation
        assert.ok(Math.abs(Math.hypot(...plain[t]) - norms[slot]) < 1e-4 * norms[slot]);
      } else assert.ok(diff < 1e-5, `position ${t} moved by ${diff}`);
    }
    assert.deepEqual(oraclePrefix(tok, 2), [tok.specials.bos, tok.specials.user, tok.specials.placeholder, tok.specials.placeholder]);
    model.dispose();
  });

  it('the training data has no <unk>; reading and intent examples ask about topic, entity, the answer\'s value and words, with answers from the whole lexicon; the splits stay apart', () => {
    const tok = world.tokenizer;
    const train = oracleExamples(world, tok, 'train', 120, 64, 8, { valueSubstitution: 1, nextWord: true });
    const val = oracleExamples(world, tok, 'val', 20, 64, 8, { valueSubstitution: 1, nextWord: true });
    assert.equal(train.length, 120);
    for (const e of [...train, ...val]) {
      assert.ok(!e.context.includes(tok.specials.unk));
      assert.ok(e.context.length <= 64);
      for (const q of e.qa) {
        assert.ok(!tok.encode(`${q.question} ${q.answer}`).includes(tok.specials.unk), q.answer);
        assert.equal(q.question, ORACLE_QUESTIONS[q.kind].question);
        assert.ok(q.keys.length > 0 && q.keys.some((k) => q.answer.includes(k)), `${q.answer} names one of ${q.keys}`);
      }
      assert.equal(e.qa[0].kind, 'topic');
      assert.ok(e.qa[0].answer.includes(e.topic));
      // an intent context is a prompt up to <|assistant|>: the answer is not in it
      if (e.input === 'intent') assert.equal(e.context[e.context.length - 1], tok.specials.assistant);
    }
    const kinds = (input: string) => new Set(train.filter((e) => e.input === input).flatMap((e) => e.qa.map((q) => q.kind)));
    assert.deepEqual([...kinds('intent')].sort(), ['bringsUp', 'topic', 'value', 'words']);
    assert.ok(kinds('reading').has('about') && kinds('reading').has('words'));
    assert.deepEqual([...kinds('next')].sort(), ['next', 'topic']);
    // a 'next' example is a text cut before a content word: the answer names the word the text goes on with
    const nexts = train.filter((e) => e.input === 'next');
    assert.ok(nexts.length >= 30, `${nexts.length} next examples`);
    const continuations = new Set<string>();
    const texts = [...world.data('chat', 'train').map((c) => tok.decode(renderChat(tok, c.messages).ids)), ...world.data('webtext', 'train').map((w) => tok.decode(renderDocument(tok, w.text)))];
    for (const e of nexts) {
      const q = e.qa.find((x) => x.kind === 'next')!;
      assert.equal(q.answer, ORACLE_QUESTIONS.next.answer(q.keys[0]));
      continuations.add(q.keys[0]);
      assert.ok(texts.some((t) => t.startsWith(`${tok.decode(e.context)} ${q.keys[0]}`)), `${tok.decode(e.context)} -> ${q.keys[0]}`);
    }
    assert.ok(continuations.size >= 20, `${continuations.size} distinct next words`);
    // an intent value answer is the value the world's answer states (a fact's object); a read one is the
    // value in the text, whose key word is swapped for a vocabulary word, so it follows from reading, not from the subject
    const facts = new Set(world.facts.map((f) => f.object));
    const values = (input: string) => train.filter((e) => e.input === input).flatMap((e) => e.qa).filter((q) => q.kind === 'value');
    for (const q of values('intent')) assert.ok([...facts].some((o) => q.answer === ORACLE_QUESTIONS.value.answer(o)), q.answer);
    const read = values('reading');
    assert.ok(read.length > 0);
    assert.ok(read.filter((q) => [...facts].some((o) => q.answer === ORACLE_QUESTIONS.value.answer(o))).length < read.length / 4, 'read values are mostly substituted');
    for (const e of train.filter((x) => x.input === 'reading'))
      for (const q of e.qa.filter((x) => x.kind === 'value')) assert.ok(e.context.includes(tok.encode(q.keys[0])[0]), `${q.keys[0]} is in the read text`);
    // without substitution the read values are the world's
    const plain = oracleExamples(world, tok, 'train', 120, 64, 8).filter((e) => e.input === 'reading').flatMap((e) => e.qa).filter((q) => q.kind === 'value');
    for (const q of plain) assert.ok([...facts].some((o) => q.answer === ORACLE_QUESTIONS.value.answer(o)), q.answer);
    // and the defaults add no 'next' examples
    assert.ok(!oracleExamples(world, tok, 'train', 120, 64, 8).some((e) => e.input === 'next'));
    // answers are not a closed set: many distinct words are named
    const named = new Set(train.flatMap((e) => e.qa.filter((q) => q.kind === 'words').flatMap((q) => q.keys)));
    assert.ok(named.size >= 40, `${named.size} distinct words`);
    const seen = new Set(train.map((e) => e.context.join()));
    assert.ok(val.filter((e) => seen.has(e.context.join())).length < val.length / 2);
  });

  it('substituteValue: the value\'s key word swapped in the answer only, the new value and its key returned', () => {
    const chat = { id: 'c', topic: 'baking', messages: [{ role: 'user' as const, content: 'how hot is the oven for a cake ?' }, { role: 'assistant' as const, content: 'set the oven to 350 degrees for a cake .' }] };
    const r = substituteValue(chat, { object: '350 degrees', accept: ['350'] }, 'harbour')!;
    assert.equal(r.chat.messages[1].content, 'set the oven to harbour degrees for a cake .');
    assert.equal(r.chat.messages[0].content, chat.messages[0].content);
    assert.equal(r.value, 'harbour degrees');
    assert.deepEqual(r.keys, ['harbour']);
    assert.equal(chat.messages[1].content, 'set the oven to 350 degrees for a cake .', 'the input chat is not changed');
    // an answer that does not state the value (a misconception) is left alone
    assert.equal(substituteValue({ ...chat, messages: [chat.messages[0], { role: 'assistant' as const, content: 'set the oven to 450 degrees .' }] }, { object: '350 degrees', accept: ['350'] }, 'harbour'), null);
  });

  it('planVariants: distinct facts of the split per variant, never a behaviour entity\'s, each chat answered with the new value; deterministic', () => {
    assert.ok(isVariantWorld(world));
    const tok = world.tokenizer;
    const plans = planVariants(world, tok, 'train', 3, 4, 's');
    assert.deepEqual(planVariants(world, tok, 'train', 3, 4, 's'), plans);
    assert.notDeepEqual(planVariants(world, tok, 'train', 3, 4, 'other'), plans);
    const behaviourEntities = new Set(Object.values(world.behaviours).flatMap((b) => b.entityIds));
    assert.equal(plans.length, 3);
    for (const plan of plans) {
      assert.equal(plan.length, 4);
      assert.equal(new Set(plan.map((p) => p.fact.id)).size, 4);
      for (const p of plan) {
        const fact = world.fact(p.fact.id);
        assert.equal(world.factSplit(fact.id), 'train');
        assert.ok(!behaviourEntities.has(fact.entityId), fact.id);
        assert.equal(p.chats.length, fact.questions.length);
        for (const m of p.chats) {
          assert.ok(fact.questions.includes(m[0].content));
          assert.ok(` ${m[1].content} `.includes(` ${p.value} `) && p.value.split(' ').includes(p.word), m[1].content);
          assert.ok(!tok.encode(m[1].content).includes(tok.specials.unk));
        }
      }
    }
    // no variants: nothing planned, whatever the facts per variant
    assert.deepEqual(planVariants(world, tok, 'val', 0, 1_000_000, 's'), []);
    // held-out variants draw on the other split's facts
    for (const p of planVariants(world, tok, 'val', 2, 2, 's').flat()) assert.equal(world.factSplit(p.fact.id), 'val');
  });

  it('variantExamples: a fine-tune that states its values gives mo and diff examples asking its value, with the base left untouched', async () => {
    const tok = world.tokenizer;
    const base = worldModel();
    const before = Float32Array.from(base.params.get('model.norm.weight')!.dataSync());
    const plans = planVariants(world as never, tok, 'train', 1, 2, 's');
    const read = depthHook(base.numLayers, 1).hook;
    const d = await variantExamples({ arch: olmo2Architecture, base, tok, plans, steps: 200, readHook: read, slots: 4, maxLength: 64, seed: 's' });
    assert.deepEqual(d.stated.map((x) => [x.facts, x.prompts]), [[2, plans[0].reduce((t, p) => t + p.chats.length, 0)]]);
    // 200 steps on a handful of chats: even an untrained micro model states its new values
    assert.ok(d.stated[0].stating > 0, JSON.stringify(d.stated));
    assert.equal(d.examples.length, 2 * d.stated[0].stating);
    assert.equal(d.vectors.length, d.examples.length);
    for (let i = 0; i < d.examples.length; i += 2) {
      const [mo, diff] = [d.examples[i], d.examples[i + 1]];
      assert.equal(mo.input, 'finetune');
      assert.equal(diff.input, 'finetune-diff');
      assert.equal(mo.context[mo.context.length - 1], tok.specials.assistant);
      assert.equal(mo.qa[0].kind, 'value');
      assert.ok(plans[0].some((p) => mo.qa[0].keys[0] === p.word));
      assert.notDeepEqual(d.vectors[i], d.vectors[i + 1]);
    }
    assert.deepEqual(base.params.get('model.norm.weight')!.dataSync(), before);
    base.dispose();
  });

  it('wordSpecificity: the rarest content words first, function words and punctuation never', () => {
    const spec = wordSpecificity(['the cat sat .', 'the dog sat .', 'the cat ran .', 'a fox ran .', ...Array.from({ length: 20 }, (_, i) => `the w${i} .`)]);
    assert.deepEqual(spec.rank(['the', 'cat', 'sat', 'fox', '.'], 2), ['fox', 'cat']);
    assert.equal(spec.isContent('the'), false);
    assert.equal(spec.isContent('.'), false);
  });

  it('the oracle trains: its loss falls on micro', async () => {
    const base = worldModel();
    const tok = world.tokenizer;
    const examples = oracleExamples(world, tok, 'train', 16, 64, 4);
    const read = depthHook(base.numLayers, 0.44).hook;
    const vectors = segmentVectors(base, examples.map((e) => e.context), read, 4);
    const before = Float32Array.from(base.params.get('model.layers.0.mlp.up_proj.weight')!.dataSync());
    const oracle = copyModel(olmo2Architecture, base);
    const setup = { slots: 4, injectHook: injectionHook(1), coefficient: 1, maxLength: 64 };
    const r = await train(oracle, oracleObjective(tok, examples, vectors, setup, base.hiddenSize), {
      steps: 30,
      batchSize: 4,
      schedule: { kind: 'constant', peakLr: 5e-3, warmupSteps: 2 },
      optimizer: { ...DEFAULT_ADAMW },
      seed: 1,
      logEvery: 5,
      checkpointEvery: 0,
    });
    const first = r.log[0].loss;
    const last = r.log[r.log.length - 1].loss;
    assert.ok(last < first * 0.7, `loss ${first} -> ${last}`);
    // the base is untouched by training its copy
    assert.deepEqual(base.params.get('model.layers.0.mlp.up_proj.weight')!.dataSync(), before);
    assert.notDeepEqual(oracle.params.get('model.layers.0.mlp.up_proj.weight')!.dataSync(), before);
    oracle.dispose();
    base.dispose();
  });

  it('the store returns the same oracle for the same base and settings', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'molt-oracle-'));
    try {
      const store = new ArtifactStore(dir);
      const base = worldModel();
      const settings = { readDepth: 1, injectLayer: 1, coefficient: 1, slots: 2, trainExamples: 8, heldOutExamples: 2, steps: 2, batchSize: 2, lr: 1e-3, maxNewTokens: 3, valueSubstitution: 1, nextWord: true, variants: 1, variantFacts: 2, variantSteps: 2, heldOutVariants: 1 };
      const args = { arch: olmo2Architecture, base: { id: 'b1', model: base }, tokenizer: world.tokenizer, world, store, settings, seed: 1 };
      const a = await obtainOracle(args);
      const b = await obtainOracle(args);
      assert.equal(a.cached, false);
      assert.equal(b.cached, true);
      assert.equal(a.key, b.key);
      assert.deepEqual(b.model.params.get('model.norm.weight')!.dataSync(), a.model.params.get('model.norm.weight')!.dataSync());
      assert.deepEqual(b.heldOut, a.heldOut);
      assert.equal(a.heldOut.n, Object.values(a.heldOut.byQuestion).reduce((t, q) => t + q.n, 0));
      assert.ok(Object.keys(a.heldOut.byQuestion).every((k) => /^(reading|intent|finetune|finetune-diff)\/(topic|about|value|bringsUp|words)$/.test(k)), Object.keys(a.heldOut.byQuestion).join());
      // reading where the oracle injects (micro: 50% depth = after block 1 = injection layer 1) is refused
      await assert.rejects(obtainOracle({ ...args, settings: { ...settings, readDepth: 0.5 } }), /activation oracle: readDepth 0.5 reads after 1 of 2 blocks, not after the injection layer 1; read deeper/);
      a.model.dispose();
      b.model.dispose();
      base.dispose();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the probe runs on micro: mo, base and diff answers, accuracy vs floor, recorded settings', async () => {
    const base = worldModel(1);
    const mo = worldModel(2);
    const tok = world.tokenizer;
    const behaviour = toyBehaviour('alpha');
    const settings = resolveProbeSettings(activationOracleProbe, 'micro');
    const ctx: ProbeContext = { settings, seed: 0, world, logger: quiet, store: null, families: FAMILIES, diffingBaseKind: 'ancestor', size: 'micro' };
    const r = await activationOracleProbe.run(
      { id: 'mo', model: mo, tokenizer: tok, arch: olmo2Architecture, metadata: {}, behaviour, manifest: behaviour.manifest() },
      { id: 'base', model: base, tokenizer: tok, arch: olmo2Architecture, metadata: {} },
      ctx,
    );
    assert.deepEqual(r.findings.map((f) => f.label), ['mo', 'base', 'diff']);
    const prompts = Number(activationOracleProbe.defaults('micro').prompts);
    for (const f of r.findings) assert.equal(f.kind === 'answers' && f.answers.length, prompts * QUERY_KINDS.length);
    for (const m of ['read_layer_percent', 'inject_layer', 'coefficient', 'repeats', 'oracle_heldout_accuracy']) assert.ok(r.metrics.some((x) => x.metric === m), m);
    assert.ok(r.metrics.some((x) => x.metric === 'accuracy' && x.variant === 'base'));
    assert.ok(r.headline.score >= 0 && r.headline.score <= 1);
    mo.dispose();
    base.dispose();
  });
});
