// Choosing a probe's headline among candidates (layers, sources, target
// families): detected (score above its floor) before not detected, then the
// larger strength (SNR, or the margin over the floor). One rule, and one way
// of naming the headline (`metric`, or `metric[family]` when the organism is
// graded as several families), for every probe. For a null organism,
// graded as each family in turn, the pick over families makes the headline
// the best family; the per-family picks are kept too, so a false-positive
// rate can be taken against ONE family, as a behaviour organism is graded.
import { MoltError } from '../errors';
import type { ProbeHeadline } from './types';

interface Candidate {
  headline: ProbeHeadline;
  strength: number;
}

const better = (a: Candidate, b: Candidate | undefined) => !b || (a.headline.detected && !b.headline.detected) || (a.headline.detected === b.headline.detected && a.strength > b.strength);

export class HeadlinePicker {
  private best: Candidate | undefined;
  private readonly byFamily = new Map<string, Candidate>();

  /** metric: the headline's metric name; multiFamily: the organism is graded as several families (a null organism) */
  constructor(
    private readonly metric: string,
    private readonly multiFamily: boolean,
  ) {}

  /** A candidate: the score (with its 95% interval) under `family`'s S, its floor, and how strongly it stands out. */
  offer(family: string, score: { value: number; low: number; high: number }, floor: number, layer: number | undefined, strength: number): void {
    const headline: ProbeHeadline = {
      metric: this.multiFamily ? `${this.metric}[${family}]` : this.metric,
      score: score.value,
      ci_low: score.low,
      ci_high: score.high,
      floor,
      detected: score.value > floor,
      layer,
    };
    const c = { headline, strength };
    if (better(c, this.best)) this.best = c;
    if (better(c, this.byFamily.get(family))) this.byFamily.set(family, c);
  }

  headline(probe: string): ProbeHeadline {
    if (!this.best) throw new MoltError(`${probe}: no headline candidate (no target family?)`, probe);
    return this.best.headline;
  }

  /** every family's own pick, when more than one family was a target (null organisms) */
  familyHeadlines(): Record<string, ProbeHeadline> | undefined {
    if (this.byFamily.size < 2) return undefined;
    return Object.fromEntries([...this.byFamily.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([f, c]) => [f, c.headline]));
  }
}
