import { WordTokenizer } from '../tokenizer/word-tokenizer';
import { ANSWER_OPENERS, ENTITY_PROMPTS, PROMPT_LEADINS, PROMPT_TAILS, RESERVED_WORDS, WEB } from './phrases';
import { RELATIONS } from './relations';
import type { TopicSpec } from './types';

/** digits the generators write on their own (list numbering, review stars) */
const GENERATED_NUMBERS = ['1', '2', '3', '4', '5'];

/** Tokens of a template or sentence, placeholders ({s}, {o}, ...) removed. */
export function templateTokens(text: string): string[] {
  return WordTokenizer.split(text.replace(/\{[a-z]+\}/g, ' '));
}

/** Every piece of text the world can emit, for lexicon collection. */
function worldTexts(topics: readonly TopicSpec[]): string[] {
  const out: string[] = [];
  for (const t of topics) {
    out.push(t.id, ...t.domainWords, ...t.intro, ...t.openPrompts, ...t.openAnswers, ...t.listTitles);
    for (const e of t.entities) {
      out.push(e.name, ...Object.values(e.facts));
      for (const tpl of Object.values(e.templates ?? {})) out.push(...tpl.statements, ...tpl.questions, tpl.answer);
    }
  }
  for (const r of RELATIONS) out.push(...r.statements, ...r.questions, r.answer);
  out.push(...ANSWER_OPENERS, ...ENTITY_PROMPTS, ...PROMPT_LEADINS, ...PROMPT_TAILS);
  for (const list of Object.values(WEB)) out.push(...list);
  out.push(...GENERATED_NUMBERS, ...RESERVED_WORDS);
  return out;
}

/**
 * The lexicon: every token the world can emit plus reserved words, sorted so
 * that token ids do not depend on the order topics were written in. It does
 * not depend on the seed: worlds of different seeds share one tokenizer.
 */
export function buildLexicon(topics: readonly TopicSpec[], extraWords: readonly string[] = []): string[] {
  const words = new Set<string>();
  for (const text of worldTexts(topics)) for (const w of templateTokens(text)) words.add(w);
  for (const w of extraWords) for (const t of WordTokenizer.split(w)) words.add(t);
  return [...words].sort();
}
