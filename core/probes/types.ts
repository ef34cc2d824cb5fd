// The probe contract (METRICS.md, docs/PROBES.md). A probe compares an
// organism with a diffing base (its ancestor or its sibling) and returns
// findings (ranked tokens, hypotheses, answers) and metrics. Every probe is
// graded by the ONE shared Grader (core/probes/grader.ts) against the
// behaviour's manifest, so no probe grades itself differently.
import type { CausalLM } from '../model/types';
import type { TextTokenizer } from '../tokenizer/types';
import type { MoltMetadata } from '../checkpoint/hf-dir';
import type { Architecture, BehaviourDataset, BehaviourManifest } from '../plugins/types';
import type { DataSource } from '../data/types';
import type { Logger } from '../log';
import type { ArtifactStore } from '../store/artifact-store';

/** Which checkpoint an organism is compared with. */
export type DiffingBaseKind = 'ancestor' | 'sibling';
export const DIFFING_BASES: readonly DiffingBaseKind[] = ['ancestor', 'sibling'];

/** A loaded model with what a probe needs to read it. */
export interface ModelHandle {
  /** store key (or a label for in-memory models in tests) */
  id: string;
  model: CausalLM;
  /** molt's WordTokenizer or a Hugging Face tokenizer; text goes through chatFormat(tokenizer) */
  tokenizer: TextTokenizer;
  arch: Architecture;
  metadata: MoltMetadata;
}

/** The organism under study: its model and the behaviour it was trained on (ground truth). */
export interface OrganismHandle extends ModelHandle {
  behaviour: BehaviourDataset;
  /** = behaviour.manifest(), kept here so graders need not rebuild it */
  manifest: BehaviourManifest;
}

/** A probe setting: plain JSON values, so settings hash and print. */
export type ProbeSettingValue = number | string | boolean | number[] | string[];
export type ProbeSettings = Record<string, ProbeSettingValue>;

export interface ProbeProgress {
  stage: string;
  done?: number;
  total?: number;
}

export interface ProbeContext {
  /** the probe's defaults for the model size, overridden by the user (see resolveProbeSettings) */
  settings: ProbeSettings;
  /** root seed of everything random in the probe (sampling, bootstrap, random directions) */
  seed: number | string;
  /** the world (or JSONL data): generic chat prompts come from data('chat', 'val') */
  world: DataSource;
  logger: Logger;
  /** for caching expensive artifacts (SAEs, oracles) under content keys; null: no caching */
  store: ArtifactStore | null;
  /**
   * one manifest per behaviour FAMILY (cake-bake, italian-food,
   * military-submarine; never 'null'): the other families' S make the
   * cross-family noise floor
   */
  families: BehaviourManifest[];
  /** which base `diffingBase` is (reported; some probes cache per base) */
  diffingBaseKind: DiffingBaseKind;
  /** model size name ('micro', 'default'): probes may scale work by it */
  size: string;
  onProgress?: (p: ProbeProgress) => void;
}

// ---- findings ----

/** One token of a ranked list. rank is 1-based. */
export interface RankedToken {
  token: string;
  id: number;
  rank: number;
  /** what the list is ranked by (probability, log-odds z, latent score, ...) */
  score: number;
}

/** A ranked token list (logit-lens top-100 at a layer, an SAE latent's tokens, ...). */
export interface TokenFinding {
  kind: 'tokens';
  /** e.g. 'diff layer 3', 'latent 17 decoder' */
  label: string;
  layer?: number;
  tokens: RankedToken[];
}

/** An investigator's hypothesis: ranked words, and the sentence they make. */
export interface HypothesisFinding {
  kind: 'hypothesis';
  /** e.g. 'both', 'steered_only', 'unsteered_only', 'random' */
  label: string;
  words: { word: string; score: number }[];
  text: string;
}

/** Free-text answers (activation oracle). */
export interface AnswerFinding {
  kind: 'answers';
  /** e.g. 'mo', 'base', 'diff' */
  label: string;
  answers: { question: string; answer: string; source?: string }[];
}

export type Finding = TokenFinding | HypothesisFinding | AnswerFinding;

// ---- metrics ----

/** One row of the long results table (METRICS.md): value with n and a 95% interval. */
export interface ProbeMetric {
  /** e.g. 'relevant_mass', 'hit@10', 'best_rank', 'grade', 'snr', 'fve' */
  metric: string;
  value: number;
  n: number;
  ci_low: number;
  ci_high: number;
  layer?: number;
  /** which variant or control the row measures ('diff', 'organism_only', 'floor', 'random', 'steered_only', ...) */
  variant?: string;
}

/**
 * The probe's one number per organism, named by its settings: a score in
 * [0, 1] (or a difference of two, in [-1, 1]: steering's white-box gain)
 * against its noise floor. The bench detects with the null calibration, not
 * the floor (core/bench/stats/calibration.ts).
 */
export interface ProbeHeadline {
  /** the metric the score is, e.g. 'relevant_mass' or 'whitebox_gain' */
  metric: string;
  score: number;
  ci_low: number;
  ci_high: number;
  /** the noise floor (a one-sided 95% upper bound of the same score under a wrong S or a control) */
  floor: number;
  /** score > floor (the probe's own, reported; not the bench's detection) */
  detected: boolean;
  layer?: number;
}

export interface ProbeResult {
  probe: string;
  organism: string;
  diffingBase: string;
  diffingBaseKind: DiffingBaseKind;
  /** the behaviour family graded against */
  family: string;
  /** the settings the run used (after defaults) */
  settings: ProbeSettings;
  findings: Finding[];
  metrics: ProbeMetric[];
  headline: ProbeHeadline;
  /**
   * null organisms only (graded as every family): each family's own
   * headline. `headline` is the best of them; a false-positive rate against
   * one family uses that family's entry here.
   */
  familyHeadlines?: Record<string, ProbeHeadline>;
  /** seconds per stage, and 'total' */
  timings: Record<string, number>;
  /** caveats worth printing (e.g. a fallback that was taken) */
  notes: string[];
}
