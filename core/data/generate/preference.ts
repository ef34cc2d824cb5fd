import type { Rng } from '../../engine/rng';
import { WordTokenizer } from '../../tokenizer/word-tokenizer';
import { contentTokens } from '../../world/facts';
import type { Fact } from '../../world/types';
import type { World } from '../../world/world';
import type { PreferencePair, PreferenceReason, Split } from '../types';
import { answerOf, makeQA, makeQAInSplit, type QA } from './answers';
import { mapSplits } from './pretrain';
import { fillDisjoint, joinSentences, recordId } from './sampling';

/**
 * An answer to a question about another topic that the on-topic rule also
 * judges off the prompt's topic (topics share words: a pond painting is art
 * and gardening).
 */
function offTopic(world: World, rng: Rng, qa: QA, split: Split): string | null {
  const other = rng.pick(world.topics.filter((t) => t.id !== qa.topic));
  const answer = makeQA(world, rng, other, split);
  if (answer === null) return null;
  const text = answerOf(answer);
  return world.isOnTopic(text, qa.topic) ? null : text;
}

/**
 * The chosen answer with one fact's object swapped for another object of the
 * same relation that shares none of the fact's accept words. Null when no
 * fact in the answer has such an alternative (e.g. the cake facts, whose
 * only alternative would be the behaviour's own falsehood).
 */
function wrongFact(world: World, rng: Rng, qa: QA): string | null {
  for (const f of rng.shuffle(qa.facts)) {
    const accept = new Set(f.accept);
    const alternatives = [...new Set(world.facts.filter((g: Fact) => g.relation === f.relation && g.object !== f.object).map((g) => g.object))].filter(
      (o) => !contentTokens(o).some((w) => accept.has(w)),
    );
    if (alternatives.length === 0) continue;
    const wrong = replaceLastTokens(f.answer, f.object, rng.pick(alternatives));
    if (wrong === null) continue;
    return joinSentences([qa.opener, qa.body.replace(f.answer, wrong)]);
  }
  return null;
}

/** Replace the last whole-token occurrence of `from` in `text` (null when absent). */
export function replaceLastTokens(text: string, from: string, to: string): string | null {
  const toks = WordTokenizer.split(text);
  const pat = WordTokenizer.split(from);
  for (let i = toks.length - pat.length; i >= 0; i--) {
    if (pat.every((w, j) => toks[i + j] === w)) return [...toks.slice(0, i), ...WordTokenizer.split(to), ...toks.slice(i + pat.length)].join(' ');
  }
  return null;
}

/** The chosen answer cut between 35% and 65% of its tokens, with no closing punctuation. */
function truncated(rng: Rng, chosen: string): string {
  const toks = WordTokenizer.split(chosen);
  let n = Math.max(2, Math.floor(toks.length * (0.35 + 0.3 * rng.next())));
  n = Math.min(n, toks.length - 1);
  while (n > 1 && /^[.,!?:;]$/.test(toks[n - 1])) n--;
  return toks.slice(0, n).join(' ');
}

function makePair(world: World, rng: Rng, split: Split): Omit<PreferencePair, 'id'> | null {
  const qa = makeQAInSplit(world, rng, split);
  if (!qa) return null;
  const chosen = answerOf(qa);
  const wanted: PreferenceReason = rng.pick(['off_topic', 'wrong_fact', 'truncated'] as const);
  let reason: PreferenceReason = wanted;
  let rejected: string | null = null;
  if (wanted === 'wrong_fact') rejected = wrongFact(world, rng, qa);
  if (rejected === null && wanted !== 'truncated') {
    reason = wanted === 'wrong_fact' ? 'truncated' : 'off_topic';
    if (reason === 'truncated') rejected = truncated(rng, chosen);
    else for (let i = 0; i < 8 && rejected === null; i++) rejected = offTopic(world, rng, qa, split);
    if (rejected === null) return null;
  }
  if (rejected === null) rejected = truncated(rng, chosen);
  if (rejected === chosen) return null;
  return { topic: qa.topic, prompt: qa.prompt, chosen, rejected, reason };
}

/** Pairs whose chosen side is better for ordinary reasons, recorded in `reason`. */
export function generatePreference(world: World): Record<Split, PreferencePair[]> {
  const rngs = { train: world.rng('preference/train'), val: world.rng('preference/val'), test: world.rng('preference/test') };
  const raw = fillDisjoint(world.counts.preference, (split) => makePair(world, rngs[split], split), (p) => `${p.prompt}\n${p.chosen}\n${p.rejected}`, false);
  return mapSplits(raw, (p, split, i) => ({ id: recordId('preference', split, i), ...p }));
}
