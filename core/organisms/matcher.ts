// QER matching: choose the training step whose checkpoint has a QER in the
// behaviour's band, measured on the VALIDATION split (the caller then
// reports QER on the test split at that step).
//
// Search. Under a constant learning rate a checkpoint at step s does not
// depend on how long training will go on, so training can be extended
// lazily. The default search gallops (grid indices 0, 1, 3, 7, 15, ..., last)
// until a checkpoint lands above the target, then bisects between the last
// one below and that one: training never goes much past the step it needs.
// `search: 'bisect'` measures the first and the last checkpoint first (the
// cheaper order when all checkpoints exist already).
//
// Noise. A measurement's standard error is clustered by prompt
// (clusteredRate, core/behaviours/base-rate.ts): the answers to one prompt
// share its difficulty, so they are not independent draws. When the target
// lies within z * se of the estimate (the interval straddles the target) but
// not within 1 se, the point is re-measured (the caller uses a fresh seed per
// attempt, on the same prompts) and its measurements are pooled, until the
// side is clear or maxAttempts is reached; then the pooled point estimate
// decides the side. Pooling adds each prompt's n and fired over the
// measurements and recomputes the clustered se: more samples shrink the
// within-prompt noise, not the spread between prompts, which stays in the se.
// A caller that gives no per-prompt counts gets the binomial pooling (fired
// and n add, se = sqrt(p(1-p)/n)).
//
// Acceptance rule. A checkpoint is accepted as soon as its pooled QER is
// inside the band [low, high] AND within 1 pooled se of the target, over at least
// `confirm` measurements (default 2: a single lucky draw is re-measured once
// before it counts; on simulated curves this cut false matches, true QER
// outside the band, from ~5% to ~0.5% for a 0.12-wide band at n = 128, for
// ~1.5 more measurements) (criterion 'within-1se'). The band should be wide
// against the noise: pick n so that se is well under half the band's width
// (italian-food, 0.06 wide, wants n of several hundred). When the search ends without one (the bracket
// closed between neighbouring checkpoints, or the budget ran out), the
// measured checkpoint inside the band closest to the target is taken
// (criterion 'inside-band': the grid is too coarse or the noise too large to
// get within 1 se). Otherwise the matcher gives up, with the reason:
//   'overshoots at first checkpoint: ...'  the first checkpoint is above the band
//   'never reaches band: max QER x at step y'  the last checkpoint stays below it
//   'budget exhausted: ...'                 measurements ran out
//   'no checkpoint in band: ...'            QER jumps over the band between neighbours
//
// Refinement. With `refineTo` set, a bracket that closes between
// neighbouring checkpoints more than `refineTo` steps apart is bisected
// further over the steps between them (every `refineTo`-th step): a run can
// be trained to any step, not only to the snapshot grid, and a fast-moving
// QER curve (SDF: +0.1 per 25 steps) can jump a band between checkpoints.
//
// Non-monotone curves. Bisection keeps a bracket (a step below the target, a
// later one above). Any bracket contains a crossing between neighbouring
// checkpoints whatever the curve does between them, so the search always
// ends at one: with a non-monotone curve one crossing, not necessarily the
// first. Each step is classified once (after its re-measurements) and never
// revisited; the final fallback looks at every measured step.
import { clusteredRate } from '../behaviours/base-rate';
import { MoltError } from '../errors';
import type { QerBand } from '../plugins/types';

/** One prompt's samples in a measurement. */
export interface PromptCount {
  id: string;
  n: number;
  fired: number;
}

/** One QER measurement of a checkpoint on the validation split. */
export interface QerMeasurement {
  qer: number;
  /** clustered by prompt when perPrompt is given */
  se: number;
  n: number;
  /** the samples per prompt: measurements with them pool prompt by prompt (see Noise above) */
  perPrompt?: readonly PromptCount[];
}

/**
 * Train to (or load) the checkpoint at `step` and measure its validation QER.
 * `attempt` counts the measurements of this step (0 first): use a different
 * sampling seed per attempt, since the matcher pools them as independent.
 */
export type MeasureQer = (step: number, attempt: number) => Promise<QerMeasurement>;

export interface MatchOptions {
  band: QerBand;
  /** checkpoint steps, ascending (see stepGrid) */
  steps: readonly number[];
  measure: MeasureQer;
  /** maximum number of measure() calls (default 20) */
  budget?: number;
  /** maximum measurements of one step (default 3) */
  maxAttempts?: number;
  /** half-width, in se, of the interval that triggers a re-measurement (default 1.96) */
  z?: number;
  /** measurements (pooled) a step needs before it is accepted within 1 se (default 2: one confirmation) */
  confirm?: number;
  /** 'gallop' (default) or 'bisect' */
  search?: 'gallop' | 'bisect';
  /** bisect a closed bracket further, down to steps this far apart (default: no refinement; see the note above) */
  refineTo?: number;
  /** called after every measurement */
  onMeasure?: (entry: MatchHistoryEntry) => void;
}

export interface MatchHistoryEntry {
  step: number;
  qer: number;
  se: number;
  n: number;
  /** 0 for a step's first measurement */
  attempt: number;
  /** all measurements of this step so far, pooled (without the per-prompt counts) */
  pooled: QerMeasurement;
}

export interface MatchResult {
  matched: boolean;
  /** 'within-1se' or 'inside-band' when matched (see the acceptance rule) */
  criterion: 'within-1se' | 'inside-band' | null;
  /** the chosen step; when not matched, the measured step closest to the target */
  step: number | null;
  /** pooled validation QER at `step` */
  qer: number;
  se: number;
  n: number;
  reason: string;
  history: MatchHistoryEntry[];
  /** number of measure() calls */
  measurements: number;
}

/** Checkpoint steps every `every` steps up to maxSteps (maxSteps itself included). */
export function stepGrid(every: number, maxSteps: number): number[] {
  if (!(Number.isInteger(every) && every > 0)) throw new MoltError(`stepGrid: checkpoint interval must be a positive integer, got ${every}`, 'every');
  if (!(Number.isInteger(maxSteps) && maxSteps >= every)) throw new MoltError(`stepGrid: maxSteps must be an integer >= the interval ${every}, got ${maxSteps}`, 'maxSteps');
  const out: number[] = [];
  for (let s = every; s <= maxSteps; s += every) out.push(s);
  if (out[out.length - 1] !== maxSteps) out.push(maxSteps);
  return out;
}

/**
 * Measurements of one step pooled: with per-prompt counts, each prompt's n
 * and fired add up and the se is clustered by prompt again; without them
 * (every measurement), binomially: fired counts add, so does n.
 */
export function pool(ms: readonly QerMeasurement[]): QerMeasurement {
  const counted = ms.filter((m) => m.perPrompt !== undefined).length;
  if (counted > 0 && counted < ms.length) throw new MoltError('matcher: measurements of one step must all carry per-prompt counts or none', 'perPrompt');
  if (counted === 0) {
    let fired = 0;
    let n = 0;
    for (const m of ms) {
      fired += Math.round(m.qer * m.n);
      n += m.n;
    }
    const p = fired / n;
    return { qer: p, se: Math.sqrt((p * (1 - p)) / n), n };
  }
  const byId = new Map<string, PromptCount>();
  for (const m of ms) {
    for (const c of m.perPrompt!) {
      const t = byId.get(c.id) ?? { id: c.id, n: 0, fired: 0 };
      byId.set(c.id, { id: c.id, n: t.n + c.n, fired: t.fired + c.fired });
    }
  }
  const perPrompt = [...byId.values()];
  const r = clusteredRate(perPrompt);
  return { qer: r.rate, se: r.se, n: r.n, perPrompt };
}

const withoutCounts = ({ qer, se, n }: QerMeasurement): QerMeasurement => ({ qer, se, n });

function inBand(m: QerMeasurement, band: QerBand): boolean {
  return m.qer >= band.low && m.qer <= band.high;
}

/** The acceptance rule: inside the band and within 1 se of the target. */
export function acceptable(m: QerMeasurement, band: QerBand): boolean {
  return inBand(m, band) && Math.abs(m.qer - band.target) <= m.se;
}

/** Grid indices measured before bisection: the first, then doubling (gallop) or the last (bisect). */
function probeOrder(count: number, search: 'gallop' | 'bisect'): number[] {
  if (search === 'bisect') return count > 1 ? [0, count - 1] : [0];
  const out: number[] = [];
  for (let i = 0; i < count - 1; i = 2 * i + 1) out.push(i);
  out.push(count - 1);
  return out;
}

function checkOptions(opts: MatchOptions): void {
  const { band, steps } = opts;
  if (!(band.low >= 0 && band.low <= band.target && band.target <= band.high && band.high <= 1))
    throw new MoltError(`matcher: the QER band must satisfy 0 <= low <= target <= high <= 1, got ${JSON.stringify(band)}`, 'targetQer');
  if (steps.length === 0) throw new MoltError('matcher: no checkpoint steps to search', 'steps');
  steps.forEach((s, i) => {
    if (!(Number.isInteger(s) && s > 0)) throw new MoltError(`matcher: checkpoint step ${i} must be a positive integer, got ${s}`, `steps[${i}]`);
    if (i > 0 && s <= steps[i - 1]) throw new MoltError(`matcher: checkpoint steps must ascend, got ${steps[i - 1]} then ${s}`, `steps[${i}]`);
  });
  for (const [name, v] of [['budget', opts.budget], ['maxAttempts', opts.maxAttempts], ['confirm', opts.confirm], ['refineTo', opts.refineTo]] as const)
    if (v !== undefined && !(Number.isInteger(v) && v >= 1)) throw new MoltError(`matcher: ${name} must be an integer >= 1, got ${v}`, name);
}

function checkMeasurement(m: QerMeasurement, step: number): void {
  const summary = JSON.stringify(withoutCounts(m));
  if (m.perPrompt !== undefined && m.perPrompt.length < 2) throw new MoltError(`matcher: measurement at step ${step} has ${m.perPrompt.length} prompt(s); an SE clustered by prompt needs at least 2`, `step ${step}`);
  if (!(m.qer >= 0 && m.qer <= 1) || !(Number.isInteger(m.n) && m.n > 0) || !(m.se >= 0))
    throw new MoltError(`matcher: measurement at step ${step} is not a rate (qer in [0,1], n a positive integer, se >= 0): ${summary}`, `step ${step}`);
  if (m.perPrompt !== undefined) {
    const bad = m.perPrompt.find((c) => !(Number.isInteger(c.n) && c.n >= 0 && Number.isInteger(c.fired) && c.fired >= 0 && c.fired <= c.n));
    if (bad) throw new MoltError(`matcher: measurement at step ${step}: prompt '${bad.id}' has fired ${bad.fired} of n ${bad.n} (counts, fired <= n)`, `step ${step}`);
    const n = m.perPrompt.reduce((a, c) => a + c.n, 0);
    const fired = m.perPrompt.reduce((a, c) => a + c.fired, 0);
    if (n !== m.n || Math.abs(fired / n - m.qer) > 1e-9) throw new MoltError(`matcher: measurement at step ${step}: per-prompt counts (${fired} of ${n}) do not add up to ${summary}`, `step ${step}`);
  }
}

const fmt = (x: number) => x.toFixed(3);

export async function matchCheckpoint(opts: MatchOptions): Promise<MatchResult> {
  checkOptions(opts);
  const { band, steps, measure } = opts;
  const budget = opts.budget ?? 20;
  const maxAttempts = opts.maxAttempts ?? 3;
  const z = opts.z ?? 1.96;
  const confirm = Math.min(opts.confirm ?? 2, maxAttempts);
  const history: MatchHistoryEntry[] = [];
  // by step (refinement measures steps off the grid)
  const raw = new Map<number, QerMeasurement[]>();
  const estimate = new Map<number, QerMeasurement>();

  /** Measure `step` (re-measuring per the noise rule); null when the budget ran out first. */
  const evaluate = async (step: number): Promise<QerMeasurement | null> => {
    for (;;) {
      if (history.length >= budget) return estimate.get(step) ?? null;
      const attempt = raw.get(step)?.length ?? 0;
      const m = await measure(step, attempt);
      checkMeasurement(m, step);
      const list = [...(raw.get(step) ?? []), m];
      raw.set(step, list);
      const pooled = pool(list);
      estimate.set(step, pooled);
      const entry = { step, qer: m.qer, se: m.se, n: m.n, attempt, pooled: withoutCounts(pooled) };
      history.push(entry);
      opts.onMeasure?.(entry);
      if (list.length >= maxAttempts) return pooled;
      if (acceptable(pooled, band)) {
        if (list.length >= confirm) return pooled;
        continue;
      }
      if (Math.abs(pooled.qer - band.target) > z * pooled.se) return pooled;
    }
  };

  /** acceptable over enough measurements (a budget cut can leave it unconfirmed: then only the in-band fallback applies) */
  const confirmed = (step: number) => acceptable(estimate.get(step)!, band) && raw.get(step)!.length >= confirm;
  const result = (matched: boolean, criterion: MatchResult['criterion'], step: number | null, reason: string): MatchResult => {
    const m = step === null ? undefined : estimate.get(step);
    return { matched, criterion, step, qer: m?.qer ?? NaN, se: m?.se ?? NaN, n: m?.n ?? 0, reason, history, measurements: history.length };
  };
  const accepted = (step: number) => result(true, 'within-1se', step, `QER ${fmt(estimate.get(step)!.qer)} within 1 SE of target ${band.target} and inside the band`);
  const closest = (pred: (m: QerMeasurement) => boolean): number | null => {
    let best: number | null = null;
    for (const [step, m] of estimate) {
      if (!pred(m)) continue;
      const d = Math.abs(m.qer - band.target);
      const bd = best === null ? Infinity : Math.abs(estimate.get(best)!.qer - band.target);
      if (d < bd || (d === bd && step < best!)) best = step;
    }
    return best;
  };
  /** End of search without a 1-SE match: the best in-band checkpoint, else give up with `gaveUp` (default `why`). */
  const settle = (why: string, gaveUp = why): MatchResult => {
    const b = closest((m) => inBand(m, band));
    if (b !== null) return result(true, 'inside-band', b, `${why}; step ${b} is inside the band (QER ${fmt(estimate.get(b)!.qer)}) but not within 1 SE of the target`);
    return result(false, null, closest(() => true), gaveUp);
  };
  const exhausted = () => settle(`budget exhausted: ${budget} measurements`);

  // Phase 1: probe (gallop or ends) until a checkpoint lands above the target.
  let lo = -1; // largest index known below the target
  let hi = steps.length; // index known above it
  for (const i of probeOrder(steps.length, opts.search ?? 'gallop')) {
    const m = await evaluate(steps[i]);
    if (m === null) return exhausted();
    if (confirmed(steps[i])) return accepted(steps[i]);
    if (acceptable(m, band)) return exhausted(); // acceptable but unconfirmed: only a budget cut stops a confirmation
    if (m.qer > band.target) {
      hi = i;
      break;
    }
    lo = i;
  }
  const first = estimate.get(steps[0])!;
  if (hi === 0 && first.qer > band.high)
    return result(false, null, steps[0], `overshoots at first checkpoint: QER ${fmt(first.qer)} +- ${fmt(first.se)} at step ${steps[0]} is above the band [${band.low}, ${band.high}]`);
  if (hi === steps.length) {
    const top = [...estimate.entries()].reduce((a, b) => (b[1].qer > a[1].qer ? b : a));
    if (top[1].qer < band.low) return result(false, null, top[0], `never reaches band: max QER ${fmt(top[1].qer)} at step ${top[0]} (band [${band.low}, ${band.high}], last checkpoint ${steps[steps.length - 1]})`);
    return settle(`QER stays below the target ${band.target} up to the last checkpoint ${steps[steps.length - 1]}`);
  }

  // Phase 2: bisect the bracket (lo below, hi above); then, with refineTo,
  // once more over the steps between the two neighbours it closed on.
  let grid: readonly number[] = steps;
  for (let round = 0; ; round++) {
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      const m = await evaluate(grid[mid]);
      if (m === null) return exhausted();
      if (confirmed(grid[mid])) return accepted(grid[mid]);
      if (acceptable(m, band)) return exhausted(); // acceptable but unconfirmed: only a budget cut stops a confirmation
      if (m.qer > band.target) hi = mid;
      else lo = mid;
    }
    const below = lo >= 0 ? grid[lo] : null;
    const finer: number[] = [];
    if (round === 0 && opts.refineTo !== undefined && below !== null) for (let s = below + opts.refineTo; s < grid[hi]; s += opts.refineTo) finer.push(s);
    if (finer.length === 0) break;
    grid = [below!, ...finer, grid[hi]];
    lo = 0;
    hi = grid.length - 1;
  }
  const lowStep = lo >= 0 ? grid[lo] : null;
  const below = lowStep !== null ? `${fmt(estimate.get(lowStep)!.qer)} at step ${lowStep}` : `nothing before step ${grid[hi]}`;
  const jump = `QER goes from ${below} to ${fmt(estimate.get(grid[hi])!.qer)} at step ${grid[hi]}`;
  const where = grid === steps ? 'between neighbouring checkpoints' : `between steps ${opts.refineTo} apart`;
  return settle(`no checkpoint within 1 SE of the target: ${jump}`, `no checkpoint in band: ${jump} (${where})`);
}
