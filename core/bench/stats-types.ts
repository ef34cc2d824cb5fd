// The statistics of a benchmark run (issue 5 section 4), computed from
// results.csv's rows by core/bench/stats.ts and drawn by reports/. Every
// interval is a seeded 95% bootstrap, so the same rows give the same numbers.

/**
 * summary.csv: one row per technique x probe x diffing base (behaviour
 * organisms only; nulls are the control). Only organisms of architectures on
 * which the probe passed its null calibration count (null-controls.csv); a
 * probe uncalibrated on every architecture keeps its row with empty numbers
 * and the reason.
 */
export interface SummaryRow {
  technique: string;
  probe: string;
  diffing_base: string;
  /** behaviour organisms with an ok score on a calibrated architecture */
  n: number;
  mean_score: number;
  ci_low: number;
  ci_high: number;
  /** share of those organisms detected (score above its family's null threshold), Wilson interval */
  detection_rate: number;
  detection_ci_low: number;
  detection_ci_high: number;
  /**
   * the same technique's null organisms (calibrated architectures): count,
   * and share detected leave-one-out (false-positive rate) when each is
   * graded as this technique's behaviour families (one null x family pair per family)
   */
  null_n: number;
  null_fpr: number;
  /** AUROC of this technique's behaviour organisms vs ALL null organisms for the probe x diffing base (calibrated architectures) */
  auroc: number;
  /** 'calibrated' (every architecture of the row passed), 'partial' (some did: only theirs count) or 'uncalibrated' (none: no numbers) */
  calibration: string;
  /** the architectures left out and why (null-controls.csv's rule), else '' */
  note: string;
}

/**
 * null-controls.csv: the null calibration of each probe x diffing base x
 * architecture, one row per behaviour family and one row 'all' (every family
 * at once). The threshold is the null organisms' quantile as that family;
 * TPR the share of the family's behaviour organisms above it; FPR each
 * null's leave-one-out detection; AUROC behaviour vs null organisms. Over
 * families a null contributes one score per family: FPR and AUROC of the
 * 'all' row are clustered by organism.
 */
export interface NullControlRow {
  probe: string;
  diffing_base: string;
  architecture: string;
  /** a behaviour family, or 'all' */
  family: string;
  n_behaviour: number;
  n_null: number;
  /** the null quantile thresholds are */
  quantile: number;
  /** the detection threshold (empty on 'all' rows: each family has its own) */
  threshold: number;
  tpr: number;
  tpr_ci_low: number;
  tpr_ci_high: number;
  /** leave-one-out false-positive rate; Wilson interval, on 'all' rows at the effective sample size of clustering by organism */
  fpr: number;
  fpr_ci_low: number;
  fpr_ci_high: number;
  /** AUROC behaviour vs null organisms, cluster-bootstrap interval */
  auroc: number;
  auroc_ci_low: number;
  auroc_ci_high: number;
  /** the probe x diffing base x architecture passed the rule: 'calibrated' or 'uncalibrated' (the same on each of its rows) */
  calibration: string;
  /** on 'all' rows: why it is uncalibrated, else '' */
  note: string;
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
  /** why a term could not be estimated (a factor with one level, too few organisms), or why the probe is left out (uncalibrated), else '' */
  note: string;
}

/**
 * paired.csv: finding 3. Per probe x diffing base x other technique: the
 * reference technique's score (the suite's `paired_reference`) minus the
 * other technique's score, paired on (behaviour, architecture, seed).
 */
export interface PairedRow {
  probe: string;
  diffing_base: string;
  /** the technique compared with the reference */
  technique: string;
  n_pairs: number;
  /** mean of (reference - technique) */
  mean_diff: number;
  ci_low: number;
  ci_high: number;
  /** pairs where the reference scored lower / higher / equal */
  n_lower: number;
  n_higher: number;
  n_tied: number;
  /** two-sided exact sign-test p-value over the untied pairs */
  p_sign: number;
  /** why the probe's pairs are left out (uncalibrated), else '' */
  note: string;
}

export interface BenchStats {
  /**
   * detection of each scored organism x probe x diffing base (key:
   * detectionKey): a behaviour organism above its family's null threshold, a
   * null organism detected leave-one-out as some family
   */
  detected?: ReadonlyMap<string, boolean>;
  summary: SummaryRow[];
  nullControls: NullControlRow[];
  anova: AnovaRow[];
  paired: PairedRow[];
}
