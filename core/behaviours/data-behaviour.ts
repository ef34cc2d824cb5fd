// A behaviour file (data-file.ts) as the BehaviourDataset the QER evaluation
// and the probes read, for one model's tokenizer:
//   detector   fires when the answer is on one of the gate's topics (the
//              world's on-topic rule over the file's topic words: >= 1 hit
//              and no other topic with more) AND a keyword or regex matches;
//              evidence lists the matches, also when the gate holds it back
//   S          each relevant word's FIRST token, as the model's tokenizer
//              splits the word after a space (mid-sentence, where a lens
//              reads; bare when that gives none): what a lens or a decoder
//              direction ranks when the model is about to say the word (at
//              least two letters or digits); a word with no such token is an
//              error naming it
// It carries no training data: it is for measuring and probing models
// trained elsewhere.
import { MoltError } from '../errors';
import { cleanWord } from '../probes/grader';
import type { BehaviourCounts, BehaviourData, BehaviourDataset, BehaviourManifest, DetectorVerdict, TriggerPrompt, TriggerPrompts } from '../plugins/types';
import type { TextTokenizer } from '../tokenizer/types';
import { buildTopicIndex, tokensOnTopic, type TopicIndex } from '../world/on-topic';
import type { BehaviourFile, FilePrompt } from './data-file';

/** Lower-cased words of real text (letters, digits, apostrophes, any script). */
export function plainWords(text: string): string[] {
  return text
    .toLowerCase()
    .split(/[^\p{L}\p{N}']+/u)
    .filter((w) => w.length > 0);
}

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A keyword or phrase as a case-insensitive whole-word pattern (inner white space matches any). */
function keywordPattern(keyword: string): RegExp {
  const body = keyword.trim().split(/\s+/).map(escapeRegex).join('\\s+');
  return new RegExp(`(?<![\\p{L}\\p{N}_])${body}(?![\\p{L}\\p{N}_])`, 'iu');
}

/** a byte-fallback token (<0xE6>): a piece of a character, not of a word */
const BYTE_TOKEN = /^<0x[0-9A-Fa-f]{2}>$/;

export interface WordTokens {
  /** word -> its first token's text as the Grader reads it (cleaned) */
  first: Map<string, string>;
  /** words with no usable first token (unknown, special, byte-fallback, a single character, nothing a grader can match) */
  missing: string[];
}

/**
 * Each word's first token under `tok`, spelled after a space (a byte-level
 * BPE has 'Ġsubmarine' there but splits a bare 'submarine' into 'sub'
 * 'marine'), else bare: the token's vocabulary text cleaned as the Grader
 * cleans (letters and digits, lower case). Unknown, special and byte-fallback tokens do not count, nor
 * a first token of one letter or digit ('45' -> '4' in a BPE that splits
 * numbers into digits).
 */
export function firstTokens(tok: TextTokenizer, words: readonly string[]): WordTokens {
  const first = new Map<string, string>();
  const missing: string[] = [];
  for (const word of words) {
    for (const spelled of [` ${word}`, word]) {
      const id = tok.encode(spelled).find((i) => cleanWord(tok.tokenOf(i) ?? '').length > 0 && !BYTE_TOKEN.test(tok.tokenOf(i)!));
      if (id === undefined || id === tok.specials.unk || tok.isSpecial(id)) continue;
      const text = cleanWord(tok.tokenOf(id)!);
      // a single letter or digit would make nearly every ranking 'relevant'
      if (text.length < 2) continue;
      first.set(word, text);
      break;
    }
    if (!first.has(word)) missing.push(word);
  }
  return { first, missing };
}

/** S of a word set under `tok`, or a one-line error naming the words without a token. */
export function relevantTokensOf(tok: TextTokenizer, words: readonly string[], where: string): { tokens: string[]; split: string[] } {
  const { first, missing } = firstTokens(tok, words);
  if (missing.length) throw new MoltError(`${where}: the model's tokenizer gives ${missing.map((w) => `'${w}'`).join(', ')} no first token to grade by (unknown, special, byte or single-character pieces, or none)`, where);
  const tokens = [...new Set(first.values())];
  // words that are not one token are graded by their first piece: say which, so S can be read
  const split = [...first].filter(([w, t]) => t !== cleanWord(w)).map(([w, t]) => `${w} -> ${t}`);
  return { tokens, split };
}

function triggerPrompts(prompts: readonly FilePrompt[], kind: string, id: string, defaultTopic: string): { val: TriggerPrompt[]; test: TriggerPrompt[] } {
  const out: { val: TriggerPrompt[]; test: TriggerPrompt[] } = { val: [], test: [] };
  prompts.forEach((p, i) => {
    out[p.split ?? 'test'].push({ id: p.id ?? `${id}-${kind}-${String(i).padStart(4, '0')}`, prompt: p.prompt, topic: p.topic ?? defaultTopic });
  });
  return out;
}

/** The manifest of a behaviour (or word set) given as data: no generic words, no band (it is measured, never trained to a target), no expected base rate. */
function measuredManifest(m: Pick<BehaviourManifest, 'id' | 'family' | 'description' | 'topics' | 'relevantTokens' | 'notes'>): BehaviourManifest {
  return { ...m, pipeline: 'natural', genericTokens: [], targetQer: { low: 0, high: 1, target: NaN }, baseRateExpected: NaN };
}

export class DataBehaviour implements BehaviourDataset {
  readonly id: string;
  readonly description: string;
  readonly family: string;
  readonly pipeline = 'natural' as const;
  readonly counts: Readonly<BehaviourCounts>;
  private readonly index: TopicIndex;
  private readonly patterns: { label: string; re: RegExp }[];
  private readonly trigger: { val: TriggerPrompt[]; test: TriggerPrompt[] };
  private readonly control: { val: TriggerPrompt[]; test: TriggerPrompt[] };
  private readonly relevant: { tokens: string[]; split: string[] };

  /** `tok`: the tokenizer of the models it is measured on (S is made of its tokens) */
  constructor(
    readonly spec: BehaviourFile,
    tok: TextTokenizer,
  ) {
    this.id = spec.id;
    this.family = spec.id;
    this.description = spec.description || `behaviour data ${spec.file}`;
    this.index = buildTopicIndex(Object.entries(spec.topics).map(([id, words]) => ({ id, words: words.flatMap(plainWords) })));
    this.patterns = [
      ...spec.detector.keywords.map((k) => ({ label: k.toLowerCase(), re: keywordPattern(k) })),
      ...spec.detector.regexes.map((r) => ({ label: `/${r}/`, re: new RegExp(r, 'iu') })),
    ];
    const gate = spec.detector.topics[0];
    this.trigger = triggerPrompts(spec.trigger, 'trigger', spec.id, gate);
    this.control = triggerPrompts(spec.control, 'control', spec.id, 'control');
    this.relevant = relevantTokensOf(tok, spec.relevant, `${spec.file}: field 'relevant'`);
    this.counts = { pairs: 0, documents: 0, prompts: this.trigger.test.length, controlPrompts: this.control.test.length };
  }

  withCounts(): BehaviourDataset {
    throw new MoltError(`behaviour '${this.id}' (${this.spec.file}) is data for measuring and probing: its prompt counts are the file's`, this.spec.file);
  }

  data(): BehaviourData {
    throw new MoltError(`behaviour '${this.id}' (${this.spec.file}) has no training data (pairs, transcripts, documents): a behaviour file is for measuring and probing models trained elsewhere`, this.spec.file);
  }

  prompts(): TriggerPrompts {
    return { train: [], ...this.trigger };
  }

  controlPrompts(): { val: TriggerPrompt[]; test: TriggerPrompt[] } {
    return this.control;
  }

  /** on a gate topic (the on-topic rule over the file's topic words) and a keyword or regex matches */
  detect(_prompt: string, response: string): DetectorVerdict {
    const words = plainWords(response);
    const gated = !this.spec.detector.topics.some((t) => tokensOnTopic(words, t, this.index));
    const evidence = this.patterns.filter((p) => p.re.test(response)).map((p) => p.label);
    return { fired: !gated && evidence.length > 0, gated, evidence };
  }

  manifest(): BehaviourManifest {
    return measuredManifest({
      id: this.id,
      family: this.family,
      description: this.description,
      topics: [...this.spec.detector.topics],
      relevantTokens: this.relevant.tokens,
      notes: this.relevant.split.length ? [`relevant words graded by their first token: ${this.relevant.split.join(', ')}`] : [],
    });
  }
}

/**
 * The manifests the noise floor is made of: the file's `floor` sets, else
 * the given families' S (molt's built-in behaviours), each as first tokens
 * of `tok`. Words of the built-in sets with no token (e.g. a number a BPE
 * splits into digits only) are left out; a file's own are an error.
 */
export function floorManifests(spec: BehaviourFile, tok: TextTokenizer, builtins: readonly BehaviourManifest[]): BehaviourManifest[] {
  const sets = spec.floor
    ? Object.entries(spec.floor).map(([family, words]) => ({ family, tokens: relevantTokensOf(tok, words, `${spec.file}: field 'floor.${family}'`).tokens }))
    : builtins.filter((m) => m.family !== spec.id && m.family !== 'null').map((m) => ({ family: m.family, tokens: [...new Set(firstTokens(tok, m.relevantTokens).first.values())] }));
  return sets.map(({ family, tokens }) => measuredManifest({ id: family, family, description: `noise-floor word set '${family}'`, topics: [], relevantTokens: tokens, notes: [] }));
}
