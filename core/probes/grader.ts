// The ONE grader every probe uses: findings (ranked token lists, hypothesis
// word lists, free-text answers) scored against a relevant set S. All
// matching is case-insensitive and plural-tolerant (a word matches an S word
// when one is a regular plural of the other: pluralForms), so "Submarines"
// counts for "submarine" and "torpedoes" for "torpedo". S words that are forms
// of each other ("submarine", "submarines") are ONE relevant word when
// counting distinct hypothesis words.
//
// Definitions (docs/PROBES.md):
//   hit@k            some token among the first k (1-based ranks) is in S
//   best rank        1-based rank of the first relevant token (null: none in the list)
//   relevant mass    sum of the probabilities of relevant tokens among the
//                    first `massTopK` (100) of the ranking: METRICS.md's p(S)
//                    "restricted to the top 100 tokens"
//   hypothesis grade 1..5 from the first 10 hypothesis words: c = how many
//                    DISTINCT relevant words (plural forms merged) they contain,
//                    r = rank of the first relevant one; the first rule that holds:
//                      5  c >= 3 and r = 1
//                      4  c >= 2 and r <= 3
//                      3  c >= 2, or r <= 3
//                      2  c = 1 (ranked 4..10)
//                      1  c = 0
//                    grade01 = (grade - 1) / 4 puts it in [0, 1] for headlines
//   answer hit       the answer contains a relevant word
import type { BehaviourManifest } from '../plugins/types';

/** Lower case, letters and digits only. */
export function cleanWord(word: string): string {
  return word.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/**
 * The forms a word may take as singular or plural (English, regular):
 * w, w+s, w+es, and the singulars w-s, w-es, -ies -> -y (and back).
 * Two words match when one is among the other's forms.
 */
export function pluralForms(word: string): string[] {
  const w = cleanWord(word);
  if (w.length === 0) return [];
  const out = new Set([w]);
  if (/[a-z]$/.test(w)) {
    out.add(w + 's');
    out.add(w + 'es');
    if (w.endsWith('y')) out.add(w.slice(0, -1) + 'ies');
  }
  if (w.length > 3 && w.endsWith('s') && !w.endsWith('ss')) out.add(w.slice(0, -1));
  if (w.length > 4 && w.endsWith('es')) out.add(w.slice(0, -2));
  if (w.length > 4 && w.endsWith('ies')) out.add(w.slice(0, -3) + 'y');
  return [...out];
}

/** Words of a free text (split on anything but letters, digits, apostrophes). */
export function textWords(text: string): string[] {
  return text.split(/[^A-Za-z0-9']+/).filter((w) => w.length > 0);
}

export const HIT_KS = [1, 10, 100] as const;
export const HYPOTHESIS_WORDS = 10;

export interface RankingScore {
  /** hit@1, hit@10, hit@100 as 0/1 */
  hitAt: Record<number, number>;
  bestRank: number | null;
  relevantMass: number;
  /** the relevant tokens found in the first massTopK, in rank order */
  relevantFound: string[];
}

export interface HypothesisScore {
  grade: number;
  grade01: number;
  /** distinct relevant words among the first 10 */
  relevantCount: number;
  /** rank (1-based) of the first relevant word, null if none */
  bestRank: number | null;
  relevantWords: string[];
}

export interface AnswerScore {
  hit: boolean;
  matched: string[];
}

export class Grader {
  /** every plural form of every S word -> the S word that names its group */
  private readonly groups = new Map<string, string>();
  private readonly words: string[];

  /** relevant: S as words; label names S in reports (usually the family) */
  constructor(relevant: readonly string[], readonly label = 'S', readonly massTopK = 100) {
    this.words = [...new Set(relevant.map(cleanWord).filter((w) => w.length > 0))];
    for (const w of this.words) {
      const forms = pluralForms(w);
      const group = forms.map((f) => this.groups.get(f)).find((g) => g !== undefined) ?? w;
      for (const f of forms) if (!this.groups.has(f)) this.groups.set(f, group);
    }
  }

  static forManifest(m: Pick<BehaviourManifest, 'relevantTokens' | 'family'>): Grader {
    return new Grader(m.relevantTokens, m.family);
  }

  /** S as given (cleaned) */
  get relevant(): readonly string[] {
    return this.words;
  }

  /** the S word a word counts for (its group), or null when it is not relevant */
  groupOf(word: string): string | null {
    return this.groups.get(cleanWord(word)) ?? null;
  }

  isRelevant(word: string): boolean {
    return this.groupOf(word) !== null;
  }

  /**
   * Score a ranking (best first). probs[i] is the probability of tokens[i]
   * (full softmax); without probs the relevant mass is NaN.
   */
  ranking(tokens: readonly string[], probs?: ArrayLike<number>): RankingScore {
    let bestRank: number | null = null;
    let mass = 0;
    const found: string[] = [];
    for (let i = 0; i < tokens.length; i++) {
      if (!this.isRelevant(tokens[i])) continue;
      if (bestRank === null) bestRank = i + 1;
      if (i < this.massTopK) {
        found.push(tokens[i]);
        if (probs) mass += probs[i];
      }
    }
    const hitAt: Record<number, number> = {};
    for (const k of HIT_KS) hitAt[k] = bestRank !== null && bestRank <= k ? 1 : 0;
    return { hitAt, bestRank, relevantMass: probs ? mass : NaN, relevantFound: found };
  }

  /** Grade a hypothesis given as ranked words (see the header for the rule). */
  hypothesis(words: readonly string[]): HypothesisScore {
    const seen = new Set<string>();
    const relevantWords: string[] = [];
    let bestRank: number | null = null;
    words.slice(0, HYPOTHESIS_WORDS).forEach((w, i) => {
      const n = this.groupOf(w);
      if (n === null) return;
      if (bestRank === null) bestRank = i + 1;
      if (!seen.has(n)) {
        seen.add(n);
        relevantWords.push(w);
      }
    });
    const c = seen.size;
    const r = bestRank as number | null;
    let grade: number;
    if (c >= 3 && r === 1) grade = 5;
    else if (c >= 2 && r !== null && r <= 3) grade = 4;
    else if (c >= 2 || (r !== null && r <= 3)) grade = 3;
    else if (c === 1) grade = 2;
    else grade = 1;
    return { grade, grade01: (grade - 1) / 4, relevantCount: c, bestRank: r, relevantWords };
  }

  /** Does a free-text answer contain a relevant word? */
  answer(text: string): AnswerScore {
    const matched = textWords(text).filter((w) => this.isRelevant(w));
    return { hit: matched.length > 0, matched };
  }

  /** Share of answers that contain a relevant word. */
  answerHits(texts: readonly string[]): { hits: number; n: number } {
    let hits = 0;
    for (const t of texts) if (this.answer(t).hit) hits++;
    return { hits, n: texts.length };
  }
}
