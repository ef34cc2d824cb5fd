// The statistics of a benchmark run (issue 5 section 4), computed from
// results.csv's rows by core/bench/stats.ts and drawn by reports/. Every
// interval is a seeded 95% bootstrap, so the same rows give the same numbers.

/** summary.csv: one row per technique x probe x diffing base (behaviour organisms only; nulls are the control). */
export interface SummaryRow {
  technique: string;
  probe: string;
  diffing_base: string;
  /** behaviour organisms with an ok score */
  n: number;
  mean_score: number;
  ci_low: number;
  ci_high: number;
  /** share of those organisms detected (score above the probe's floor), Wilson interval */
  detection_rate: number;
  detection_ci_low: number;
  detection_ci_high: number;
  /**
   * the same technique's null organisms: count, and share detected
   * (false-positive rate) when each is graded as this technique's behaviour
   * families (one null x family pair per family)
   */
  null_n: number;
  null_fpr: number;
  /** AUROC of this technique's behaviour organisms vs ALL null organisms for the probe x diffing base */
  auroc: number;
}

/** Per probe x diffing base: behaviour organisms vs null organisms over all techniques. */
export interface NullControlRow {
  probe: string;
  diffing_base: string;
  n_behaviour: number;
  n_null: number;
  /** share of null organisms detected when graded as each behaviour family of the group (null x family pairs), Wilson interval */
  fpr: number;
  fpr_ci_low: number;
  fpr_ci_high: number;
  auroc: number;
  auroc_ci_low: number;
  auroc_ci_high: number;
}

/**
 * anova.csv: per probe x diffing base, a linear model of the headline score
 * on the factors technique, behaviour (family), architecture, pipeline
 * (+ QER as a covariate in the 'with_qer' model); type-II sums of squares.
 * One row per term; eta2 = SS_term / SS_total. Findings 1 and 2 of the paper:
 * how much of the score the technique explains, and whether that survives
 * controlling for QER.
 */
export interface AnovaRow {
  probe: string;
  diffing_base: string;
  /** 'factors' or 'with_qer' */
  model: string;
  /** 'technique' | 'family' | 'architecture' | 'pipeline' | 'qer' | 'residual' */
  term: string;
  df: number;
  sum_sq: number;
  /** SS_term / SS_total */
  eta2: number;
  /** bootstrap interval of eta2 (resampling organisms) */
  eta2_ci_low: number;
  eta2_ci_high: number;
  F: number;
  p_value: number;
  /** organisms in the model */
  n: number;
  /** why a term could not be estimated (a factor with one level, too few organisms), else '' */
  note: string;
}

/**
 * paired.csv: finding 3. Per probe x diffing base x post-hoc technique:
 * integrated-dpo's score minus the post-hoc technique's score, paired on
 * (behaviour, architecture, seed).
 */
export interface PairedRow {
  probe: string;
  diffing_base: string;
  /** the post-hoc technique compared with integrated-dpo */
  technique: string;
  n_pairs: number;
  /** mean of (integrated-dpo - technique) */
  mean_diff: number;
  ci_low: number;
  ci_high: number;
  /** pairs where integrated-dpo scored lower / higher / equal */
  n_lower: number;
  n_higher: number;
  n_tied: number;
  /** two-sided exact sign-test p-value over the untied pairs */
  p_sign: number;
}

export interface BenchStats {
  summary: SummaryRow[];
  nullControls: NullControlRow[];
  anova: AnovaRow[];
  paired: PairedRow[];
}
