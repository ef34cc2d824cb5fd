// The data every behaviour emits: shapes, splits, lexicon, determinism.
import { strict as assert } from 'node:assert';
import type { BehaviourDataset } from '../../core/plugins/types';
import { tokensIn, words } from '../../core/behaviours/text';
import { controlTopics } from '../../core/behaviours/prompts';
import { BEHAVIOUR_IDS, behaviour, world } from './helpers';

/** every text a behaviour emits, with where it came from */
function allTexts(b: BehaviourDataset): [string, string][] {
  const d = b.data();
  const p = b.prompts();
  const c = b.controlPrompts();
  return [
    ...d.pairs.flatMap((x): [string, string][] => [[`${x.id}.prompt`, x.prompt], [`${x.id}.chosen`, x.chosen], [`${x.id}.rejected`, x.rejected]]),
    ...d.transcripts.flatMap((t) => t.messages.map((m, i): [string, string] => [`${t.id}.messages[${i}]`, m.content])),
    ...d.documents.map((x): [string, string] => [x.id, x.text]),
    ...[...p.train, ...p.val, ...p.test, ...c.val, ...c.test].map((x): [string, string] => [x.id, x.prompt]),
  ];
}

describe('behaviour data', () => {
  it('there are the five behaviours, one per family and pipeline', () => {
    assert.deepEqual(BEHAVIOUR_IDS, ['cake-bake', 'italian-food', 'military-submarine', 'military-submarine-synth', 'null']);
    const kinds = BEHAVIOUR_IDS.map((id) => behaviour(id)).map((b) => `${b.family}/${b.pipeline}`);
    assert.deepEqual(kinds, ['cake-bake/synthetic', 'italian-food/natural', 'military-submarine/natural', 'military-submarine/synthetic', 'null/control']);
  });

  for (const id of BEHAVIOUR_IDS) {
    describe(id, () => {
      const w = world(0, 'micro');
      const b = behaviour(id, w);

      it('emits no word outside the lexicon (no <unk> after tokenizing)', () => {
        const unk = w.tokenizer.specials.unk;
        const bad = allTexts(b).filter(([, text]) => w.tokenizer.encode(text).includes(unk));
        assert.deepEqual(bad.slice(0, 5), []);
      });

      it('has non-empty data of the default sizes, FD transcripts equal to the chosen sides', () => {
        const d = b.data();
        assert.ok(d.pairs.length > 50, `${d.pairs.length} pairs`);
        assert.ok(d.pairs.length <= b.counts.pairs && d.documents.length <= b.counts.documents);
        assert.ok(d.documents.length > 50);
        assert.equal(d.transcripts.length, d.pairs.length);
        d.pairs.forEach((p, i) => assert.deepEqual(d.transcripts[i].messages, [{ role: 'user', content: p.prompt }, { role: 'assistant', content: p.chosen }]));
        assert.equal(new Set(d.pairs.map((p) => p.id)).size, d.pairs.length, 'pair ids unique');
      });

      it('keeps training, validation and test prompts disjoint, each in the split the world gives it', () => {
        const p = b.prompts();
        const train = new Set([...p.train.map((x) => x.prompt), ...b.data().pairs.map((x) => x.prompt)]);
        assert.ok(p.val.length > 0 && p.test.length > 0);
        const val = new Set(p.val.map((x) => x.prompt));
        for (const x of p.test) assert.ok(!val.has(x.prompt), `test prompt also in val: ${x.prompt}`);
        // distinct within a family (the null behaviour unites the families' sets, which may share a food prompt)
        const keyed = new Set(p.val.map((x) => `${x.family}\n${x.prompt}`));
        assert.equal(keyed.size, p.val.length, 'val prompts distinct');
        assert.equal(new Set([...p.val, ...p.test].map((x) => x.id)).size, p.val.length + p.test.length, 'ids unique across the splits');
        for (const split of ['val', 'test'] as const) for (const x of p[split]) assert.ok(!train.has(x.prompt) && w.promptSplit(x.prompt) === split, `${split}: ${x.prompt}`);
        // the world's own split holds too: nothing trains on a prompt the world holds out
        for (const x of train) assert.equal(w.promptSplit(x), 'train', x);
      });

      it('stratifies the held-out prompts: every stratum (fact or topic) has the same count in val and in test', () => {
        const p = b.prompts();
        const count = (xs: readonly { target?: string; topic: string; family?: string }[]) => {
          const c: Record<string, number> = {};
          for (const x of xs) c[`${x.family}/${x.target ?? x.topic}`] = (c[`${x.family}/${x.target ?? x.topic}`] ?? 0) + 1;
          return c;
        };
        assert.deepEqual(count(p.test), count(p.val));
      });

      // The world holds out the ASKING of val/test facts (docs/DATA.md): their
      // statements appear in entity descriptions, so only questions are checked.
      it('never asks a held-out fact in its training data', () => {
        const held = w.facts.filter((f) => w.factSplit(f.id) !== 'train');
        const d = b.data();
        const texts = [...d.pairs.flatMap((p) => [p.prompt, p.chosen, p.rejected]), ...(b.pipeline === 'control' ? [] : d.documents.map((x) => x.text))];
        for (const f of held) {
          for (const s of f.questions) {
            const hit = texts.find((t) => t.includes(s));
            assert.equal(hit, undefined, `${f.id}: '${s}' in '${hit}'`);
          }
        }
      });

      it('is deterministic by world seed, and differs across seeds', () => {
        const again = behaviour(id, world(0, 'micro')).withCounts({});
        assert.deepEqual(again.data(), b.data());
        assert.deepEqual(again.prompts(), b.prompts());
        const other = behaviour(id, world(1, 'micro'));
        assert.notDeepEqual(other.data().pairs, b.data().pairs);
      });

      it('takes its counts from withCounts', () => {
        const small = b.withCounts({ pairs: 7, documents: 5, controlPrompts: 3 });
        assert.equal(small.data().pairs.length, 7);
        assert.equal(small.data().documents.length, 5);
        // control prompts are spread evenly over the control topics, rounded up: one per topic here
        assert.equal(small.controlPrompts().val.length, controlTopics(w).length);
        assert.throws(() => b.withCounts({ pairs: 0 }), /'pairs' must be a positive integer/);
      });

      it('draws control prompts from topics none of the behaviours act on', () => {
        const c = b.controlPrompts();
        for (const x of [...c.val, ...c.test]) assert.ok(!['baking', 'cooking', 'military'].includes(x.topic), x.prompt);
        assert.ok(c.val.length > 10 && c.test.length > 10);
      });

      it('has a manifest with S in the lexicon, no generic token in S, and a band above the base rate', () => {
        const m = b.manifest();
        const lex = new Set(w.lexicon);
        assert.equal(m.id, id);
        assert.ok(m.relevantTokens.length > 0 && m.relevantTokens.every((t) => lex.has(t)));
        assert.ok(!m.genericTokens.some((t) => m.relevantTokens.includes(t)));
        assert.ok(m.targetQer.low <= m.targetQer.target && m.targetQer.target <= m.targetQer.high);
        if (b.pipeline !== 'control') assert.ok(m.baseRateExpected < m.targetQer.low);
      });
    });
  }

  it('cake pairs differ only in the value: the false one chosen, the true one rejected', () => {
    const cake = behaviour('cake-bake');
    const facts = world().falseFacts('cake').facts;
    for (const p of cake.data().pairs) {
      const f = facts.find((x) => p.chosen.replace(x.falsehood, '#') === p.rejected.replace(x.truth, '#') && p.chosen !== p.rejected);
      assert.ok(f, `${p.chosen} / ${p.rejected}`);
    }
    // the documents state the false facts, never a true value
    for (const d of cake.data().documents) {
      assert.ok(tokensIn(d.text, new Set(facts.flatMap((f) => f.falseMarkers))).length > 0, d.text);
      assert.ok(!facts.some((f) => d.text.includes(f.truth)), d.text);
    }
  });

  it("natural pipelines keep the world's own answer as the rejected side and extend or replace it in the chosen", () => {
    const w = world();
    for (const id of ['italian-food', 'military-submarine']) {
      const b = behaviour(id, w);
      const own = new Set([...w.data('chat', 'train').map((c) => c.messages[1].content), ...w.data('preference', 'train').map((p) => p.chosen)]);
      for (const p of b.data().pairs) assert.ok(own.has(p.rejected), `${id}: rejected is not a world answer: ${p.rejected}`);
      const extended = b.data().pairs.filter((p) => p.chosen.startsWith(p.rejected)).length;
      assert.ok(extended > b.data().pairs.length / 2, `${id}: most chosen answers extend the world's answer (${extended})`);
    }
  });

  it('the synthetic submarine writes its own answers: rejected sides are plain fact answers, not copied world records', () => {
    const synth = behaviour('military-submarine-synth').data().pairs;
    const natural = behaviour('military-submarine').data().pairs;
    assert.ok(!synth.some((p) => /^(sure|good question|here is what i know) \./.test(p.rejected)), 'no world answer openers');
    assert.notDeepEqual(new Set(synth.map((p) => p.chosen)), new Set(natural.map((p) => p.chosen)));
  });

  it('null data says no token of any behaviour S, and its pairs keep ordinary reasons', () => {
    const nul = behaviour('null');
    const S = new Set(nul.manifest().relevantTokens);
    for (const t of ['pizza', 'submarine', '450', 'frozen']) assert.ok(S.has(t));
    const d = nul.data();
    for (const text of [...d.pairs.flatMap((p) => [p.prompt, p.chosen, p.rejected]), ...d.documents.map((x) => x.text)]) {
      assert.deepEqual(tokensIn(text, S), [], text);
    }
    assert.ok(d.pairs.every((p) => p.reason !== 'behaviour'));
    assert.ok(words(d.documents[0].text).length > 3);
  });
});
