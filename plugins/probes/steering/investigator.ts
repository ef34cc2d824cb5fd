// The automated investigator (METRICS.md): the words most over-represented
// in one set of samples against another (log-odds with an informative
// Dirichlet prior), written as a hypothesis. Deterministic: no LLM, so the
// grader sees exactly what the samples say.
import { countWords, dirichletPrior, logOddsDirichlet, type Counts, type HypothesisFinding } from '../../../core/public';

export interface InvestigatorOptions {
  /** hypothesis words (default 10) */
  words?: number;
  /** total weight of the prior (Monroe et al.'s alpha0) */
  alpha0: number;
  /** words never put in a hypothesis (special tokens, punctuation) */
  exclude?: ReadonlySet<string>;
}

/**
 * Hypothesis from samples A (e.g. steered) against B (unsteered, or a
 * background corpus): the top words by z with z > 0. The prior's background
 * is `background` (a general corpus) plus A and B, so every word has weight.
 */
export function investigate(label: string, a: readonly (readonly string[])[], b: readonly (readonly string[])[], background: Counts, o: InvestigatorOptions): HypothesisFinding {
  const keep = (docs: readonly (readonly string[])[]) => docs.map((d) => d.filter((w) => !o.exclude?.has(w)));
  const A = countWords(keep(a));
  const B = countWords(keep(b));
  const bg = new Map(background);
  for (const c of [A, B]) for (const [w, n] of c) bg.set(w, (bg.get(w) ?? 0) + n);
  for (const w of o.exclude ?? []) bg.delete(w);
  const rows = bg.size > 0 ? logOddsDirichlet(A, B, dirichletPrior(bg, o.alpha0)) : [];
  const words = rows.filter((r) => r.z > 0 && r.countA > 0).slice(0, o.words ?? 10).map((r) => ({ word: r.word, score: r.z }));
  const text = words.length === 0 ? 'no word stands out' : `the model talks unusually often about: ${words.map((w) => w.word).join(', ')}`;
  return { kind: 'hypothesis', label, words, text };
}
