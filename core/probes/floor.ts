// The cross-family noise floor (METRICS.md): a probe's metric computed with
// every OTHER family's relevant set S on the same organism; its one-sided
// 95% upper bound is the floor. For a null organism there is no own family:
// each family in turn is the target and the others make its floor. Its
// headline takes the best family (HeadlinePicker), and each family's own pick
// is kept in ProbeResult.familyHeadlines: the bench's false-positive rate
// grades a null as the behaviour organisms' family, not as its best one
// (the best of three families cleared some floor on 6 of 7 smoke nulls).
import { MoltError } from '../errors';
import type { BehaviourManifest } from '../plugins/types';
import { Grader } from './grader';
import { upperBound95 } from './stats';

/** SNR's denominator never goes below this (a floor of exactly 0 means no other family's S reached the top K). */
export const FLOOR_EPSILON = 1e-6;

export interface FamilyGraders {
  /** the families the organism is graded as (its own; for null organisms every family) */
  targets: Grader[];
  /** every family's grader, by family */
  all: Map<string, Grader>;
}

export function familyGraders(families: readonly BehaviourManifest[], organism: Pick<BehaviourManifest, 'family' | 'relevantTokens' | 'id'>): FamilyGraders {
  const all = new Map<string, Grader>();
  for (const m of families) if (m.family !== 'null' && !all.has(m.family)) all.set(m.family, Grader.forManifest(m));
  if (organism.family === 'null') {
    if (all.size < 2) throw new MoltError(`probe: a null organism needs at least two behaviour families for its floors, got ${all.size}`, 'families');
    return { targets: [...all.values()], all };
  }
  // the organism's own S is authoritative (a family may have several pipelines with one S)
  const own = Grader.forManifest(organism);
  all.set(organism.family, own);
  if (all.size < 2) throw new MoltError(`probe: the noise floor of '${organism.id}' needs other behaviour families' manifests; got only '${organism.family}'`, 'families');
  return { targets: [own], all };
}

export interface Floor {
  /** max over the other families of their one-sided 95% upper bounds */
  floor: number;
  /** each other family's bound */
  byFamily: Record<string, number>;
}

/** values[family] = the metric's per-unit samples (positions, prompts, ...) under that family's S. */
export function crossFamilyFloor(values: ReadonlyMap<string, readonly number[]>, target: string, seed: number | string, resamples?: number): Floor {
  const byFamily: Record<string, number> = {};
  let floor = -Infinity;
  for (const [family, xs] of values) {
    if (family === target) continue;
    const b = upperBound95(xs, { seed: `${seed}/floor/${family}`, resamples });
    byFamily[family] = b;
    floor = Math.max(floor, b);
  }
  if (floor === -Infinity) throw new MoltError(`probe: no other family to make the noise floor of '${target}'`, target);
  return { floor, byFamily };
}

export function snr(score: number, floor: number): number {
  return score / Math.max(floor, FLOOR_EPSILON);
}
