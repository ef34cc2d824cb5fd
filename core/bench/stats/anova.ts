// Type-II ANOVA of the headline score on the organism's factors (METRICS.md
// "variance explained by technique, behaviour, architecture and pipeline, with
// and without QER as a covariate"). Main effects only, so type II is: each
// term's SS = RSS(model without the term) - RSS(full model), and its df the
// rank that the term adds beyond the others. Factors are treatment-coded
// one-hot columns, the first level in sorted order being the reference.
import { Rng } from '../../engine/rng';
import { quantileSorted } from '../../probes/stats';
import type { AnovaRow } from '../stats-types';
import { fSurvival } from './distributions';
import { OlsDesign } from './ols';

/** One organism in a model: its score and the values of its terms. */
export interface AnovaObs {
  y: number;
  /** factor name -> level */
  factors: Readonly<Record<string, string>>;
  /** covariate name -> value (finite) */
  covariates: Readonly<Record<string, number>>;
}

export interface AnovaTerm {
  name: string;
  kind: 'factor' | 'covariate';
}

export interface AnovaModel {
  probe: string;
  diffing_base: string;
  /** 'factors' | 'with_qer' */
  model: string;
  terms: readonly AnovaTerm[];
}

export interface AnovaOptions {
  seed: string;
  resamples: number;
}

const byCodeUnit = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function termColumns(term: AnovaTerm, obs: readonly AnovaObs[]): { columns: number[][]; levels: string[] } {
  if (term.kind === 'covariate') {
    const xs = obs.map((o) => o.covariates[term.name]);
    // standardised so the rank tolerance means the same for any scale; a constant column becomes zeros (no rank)
    const m = xs.reduce((s, x) => s + x, 0) / xs.length;
    const sd = Math.sqrt(xs.reduce((s, x) => s + (x - m) * (x - m), 0) / xs.length);
    // its distinct values play the part of levels: one value means nothing to compare
    return { columns: [xs.map((x) => (sd > 0 ? (x - m) / sd : 0))], levels: [...new Set(xs)].map(String) };
  }
  const levels = [...new Set(obs.map((o) => o.factors[term.name]))].sort(byCodeUnit);
  const columns = levels.slice(1).map((level) => obs.map((o) => (o.factors[term.name] === level ? 1 : 0)));
  return { columns, levels };
}

interface TermFit {
  df: number;
  ss: number;
  levels: string[];
}

interface ModelFit {
  n: number;
  rank: number;
  dfRes: number;
  rss: number;
  ssTotal: number;
  terms: TermFit[];
}

function fitModel(obs: readonly AnovaObs[], terms: readonly AnovaTerm[]): ModelFit {
  const n = obs.length;
  const y = obs.map((o) => o.y);
  const my = y.reduce((s, v) => s + v, 0) / Math.max(n, 1);
  const centred = y.map((v) => v - my);
  const ssTotal = centred.reduce((s, v) => s + v * v, 0);
  const perTerm = terms.map((t) => termColumns(t, obs));
  const design = new OlsDesign(perTerm.flatMap((t) => t.columns), y);
  // column indices of each term in the design
  const offsets: number[][] = [];
  let next = 0;
  for (const t of perTerm) offsets.push(t.columns.map(() => next++));
  const full = design.fit();
  const fits = perTerm.map((t, i): TermFit => {
    const without = design.fit(offsets.flatMap((cols, j) => (j === i ? [] : cols)));
    // RSS can only grow when a term is dropped; rounding may leave a hair below zero
    return { df: full.rank - without.rank, ss: Math.max(0, without.rss - full.rss), levels: t.levels };
  });
  return { n, rank: full.rank, dfRes: n - full.rank, rss: full.rss, ssTotal, terms: fits };
}

function resample<T>(xs: readonly T[], rng: Rng): T[] {
  return xs.map(() => xs[rng.int(xs.length)]);
}

function interval(values: number[]): [number, number] {
  if (values.length === 0) return [NaN, NaN];
  const sorted = values.sort((a, b) => a - b);
  return [quantileSorted(sorted, 0.025), quantileSorted(sorted, 0.975)];
}

function termNote(term: AnovaTerm, fit: TermFit): string {
  if (fit.levels.length <= 1) {
    const what = term.kind === 'factor' ? `one ${term.name} level` : `one ${term.name} value`;
    return `${what} (${fit.levels[0] ?? 'none'}) among the organisms: nothing to compare`;
  }
  if (fit.df === 0) return `${term.name} is collinear with the other terms (determined by them): no df of its own`;
  return '';
}

/**
 * The rows of one model (one per term, then 'residual'). eta2 intervals are a
 * percentile bootstrap over organisms (rows resampled, model refitted). A
 * resample counts for a term only if it estimates the same thing: the term
 * keeps its df, the residual keeps some df and the scores still vary; other
 * resamples are skipped for that term.
 */
export function anovaRows(obs: readonly AnovaObs[], model: AnovaModel, opts: AnovaOptions): AnovaRow[] {
  const fit = fitModel(obs, model.terms);
  const base = { probe: model.probe, diffing_base: model.diffing_base, model: model.model, n: fit.n };
  const tooFew = fit.dfRes <= 0 ? `too few organisms: ${fit.n} for ${fit.rank} parameters leaves no residual df` : '';
  const flat = fit.ssTotal > 0 ? '' : 'the scores do not vary: nothing to explain';
  const modelNote = tooFew || flat;

  // bootstrap eta2 for every term and the residual
  const draws: number[][] = model.terms.map(() => []);
  const residualDraws: number[] = [];
  if (!modelNote) {
    const rng = new Rng(opts.seed);
    for (let b = 0; b < opts.resamples; b++) {
      const f = fitModel(resample(obs, rng), model.terms);
      if (f.dfRes <= 0 || !(f.ssTotal > 0)) continue;
      residualDraws.push(f.rss / f.ssTotal);
      f.terms.forEach((t, i) => {
        if (fit.terms[i].df > 0 && t.df === fit.terms[i].df) draws[i].push(t.ss / f.ssTotal);
      });
    }
  }

  const rows: AnovaRow[] = model.terms.map((term, i) => {
    const t = fit.terms[i];
    const note = termNote(term, t) || modelNote;
    if (note) return { ...base, term: term.name, df: t.df, sum_sq: NaN, eta2: NaN, eta2_ci_low: NaN, eta2_ci_high: NaN, F: NaN, p_value: NaN, note };
    const F = t.ss / t.df / (fit.rss / fit.dfRes);
    const [lo, hi] = interval(draws[i]);
    return { ...base, term: term.name, df: t.df, sum_sq: t.ss, eta2: t.ss / fit.ssTotal, eta2_ci_low: lo, eta2_ci_high: hi, F, p_value: fSurvival(F, t.df, fit.dfRes), note };
  });
  const [rlo, rhi] = interval(residualDraws);
  rows.push({
    ...base,
    term: 'residual',
    df: fit.dfRes,
    sum_sq: tooFew ? NaN : fit.rss,
    eta2: modelNote ? NaN : fit.rss / fit.ssTotal,
    eta2_ci_low: rlo,
    eta2_ci_high: rhi,
    F: NaN,
    p_value: NaN,
    note: modelNote,
  });
  return rows;
}
