// A probe's headline: per target family exactly ONE score, the one the
// probe's settings name (its headline layer, source, setting), fixed before
// any organism is scored: choosing the best of several layers on the scored
// organisms would raise every organism's score, nulls' included, and make
// the false-positive rate depend on how many were tried. One way of naming
// the headline (`metric`, or `metric[family]` when the organism is graded as
// several families), for every probe. A null organism is graded as each
// family in turn: each family's headline is kept (the null calibration
// grades a null as one family, as a behaviour organism is graded), and its
// overall headline is the family that stands out most (detected before not,
// then the larger strength), a display value only.
import { MoltError } from '../errors';
import type { ProbeHeadline } from './types';

interface Candidate {
  headline: ProbeHeadline;
  strength: number;
}

const better = (a: Candidate, b: Candidate | undefined) => !b || (a.headline.detected && !b.headline.detected) || (a.headline.detected === b.headline.detected && a.strength > b.strength);

const where = (h: ProbeHeadline) => (h.layer === undefined ? '' : ` at layer ${h.layer}`);

export class HeadlinePicker {
  private best: Candidate | undefined;
  private readonly byFamily = new Map<string, Candidate>();

  /** metric: the headline's metric name; multiFamily: the organism is graded as several families (a null organism) */
  constructor(
    private readonly metric: string,
    private readonly multiFamily: boolean,
  ) {}

  /** The headline under `family`'s S: the score (with its 95% interval), its floor, and how strongly it stands out; a second one for a family is an error naming the probe. */
  offer(probe: string, family: string, score: { value: number; low: number; high: number }, floor: number, layer: number | undefined, strength: number): void {
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
    const had = this.byFamily.get(family);
    if (had)
      throw new MoltError(`${probe}: two headline scores for family '${family}' (${this.metric}${where(had.headline)} and${where(headline)}); mark exactly one, named by the probe's settings`, probe);
    this.byFamily.set(family, c);
    if (better(c, this.best)) this.best = c;
  }

  headline(probe: string): ProbeHeadline {
    if (!this.best) throw new MoltError(`${probe}: no headline candidate (no target family?)`, probe);
    return this.best.headline;
  }

  /** every family's headline, when more than one family was a target (null organisms) */
  familyHeadlines(): Record<string, ProbeHeadline> | undefined {
    if (this.byFamily.size < 2) return undefined;
    return Object.fromEntries([...this.byFamily.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([f, c]) => [f, c.headline]));
  }
}
