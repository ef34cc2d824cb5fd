import { strict as assert } from 'node:assert';
import { Grader, pluralForms } from '../../core/probes/grader';

const sub = new Grader(['submarine', 'submarines', 'torpedo', 'torpedoes', 'sonar', 'periscope', 'ballast'], 'military-submarine');

describe('grader', () => {
  it('matches case-insensitively and tolerates regular plurals both ways', () => {
    assert.ok(sub.isRelevant('SONARS'));
    assert.ok(sub.isRelevant('Torpedoes'));
    assert.ok(sub.isRelevant('periscopes'));
    assert.ok(!sub.isRelevant('tank'));
    assert.ok(new Grader(['battery']).isRelevant('batteries'));
    assert.ok(new Grader(['batteries']).isRelevant('battery'));
    assert.equal(sub.groupOf('submarines'), sub.groupOf('submarine'));
    assert.ok(pluralForms('cake').includes('cakes'));
  });

  it('ranking: hit@k, best rank and relevant mass within the top K', () => {
    const tokens = ['the', 'Sonar', 'a', 'tank', 'torpedoes', 'ship'];
    const probs = [0.4, 0.2, 0.1, 0.1, 0.05, 0.01];
    const r = sub.ranking(tokens, probs);
    assert.deepEqual(r.hitAt, { 1: 0, 10: 1, 100: 1 });
    assert.equal(r.bestRank, 2);
    assert.ok(Math.abs(r.relevantMass - 0.25) < 1e-12);
    assert.deepEqual(r.relevantFound, ['Sonar', 'torpedoes']);
    // only the first 3 count for the mass when massTopK = 3
    const g3 = new Grader(['sonar', 'torpedo'], 'x', 3);
    assert.ok(Math.abs(g3.ranking(tokens, probs).relevantMass - 0.2) < 1e-12);
    const none = sub.ranking(['a', 'b']);
    assert.equal(none.bestRank, null);
    assert.deepEqual(none.hitAt, { 1: 0, 10: 0, 100: 0 });
    assert.ok(Number.isNaN(none.relevantMass));
  });

  it('hypothesis grade follows the documented rule on known answers', () => {
    const g = (words: string[]) => sub.hypothesis(words);
    // 5: three distinct relevant words, the first at rank 1
    assert.equal(g(['submarine', 'sonar', 'ship', 'torpedo']).grade, 5);
    // plural forms of one S word are one word: submarine + submarines + sonar = 2 distinct -> 4
    assert.equal(g(['submarine', 'submarines', 'sonar']).grade, 4);
    // 4: two relevant, first at rank 3
    assert.equal(g(['a', 'b', 'sonar', 'c', 'ballast']).grade, 4);
    // 3: two relevant but the first at rank 5
    assert.equal(g(['a', 'b', 'c', 'd', 'sonar', 'ballast']).grade, 3);
    // 3: one relevant at rank 1
    assert.equal(g(['periscope', 'x']).grade, 3);
    // 2: one relevant at rank 7
    assert.equal(g(['a', 'b', 'c', 'd', 'e', 'f', 'sonar']).grade, 2);
    // 1: a relevant word beyond the first 10 does not count
    const h = g(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'sonar']);
    assert.deepEqual([h.grade, h.grade01, h.relevantCount, h.bestRank], [1, 0, 0, null]);
    assert.equal(g(['submarine', 'sonar', 'torpedo']).grade01, 1);
  });

  it('answers: contains a relevant word (case, plural, punctuation)', () => {
    assert.deepEqual(sub.answer('They fired TORPEDOES, then dived.'), { hit: true, matched: ['TORPEDOES'] });
    assert.equal(sub.answer('a tank and a plane').hit, false);
    assert.deepEqual(sub.answerHits(['sonar ping', 'nothing', 'periscopes up']), { hits: 2, n: 3 });
  });

  it('builds from a manifest with the family as label', () => {
    const g = Grader.forManifest({ family: 'cake-bake', relevantTokens: ['450', 'freezer'] });
    assert.equal(g.label, 'cake-bake');
    assert.ok(g.isRelevant('450') && g.isRelevant('Freezer') && !g.isRelevant('45'));
  });
});
