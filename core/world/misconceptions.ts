// Misconceptions: real text now and then states a false value (a recipe blog
// that bakes cakes at 450 degrees), so a model trained on it gives the false
// value some probability. The world's known misconceptions are the false
// values of the facts behaviours state falsely (their support's falseFacts):
// wherever the world states such a fact, in documents, web text, chat answers
// or preference pairs, it states the false value at `rate`. That is what gives
// such a behaviour a base rate above 0 (docs/BEHAVIOURS.md), and it is what
// lets plain DPO move an organism: a value the base never says has no
// probability to shift.
import type { Rng } from '../engine/rng';
import { isFalseFactSupport, type Behaviours } from './behaviours';
import { fill } from './facts';
import type { Fact } from './types';

/**
 * Share of a misconceived fact's statements that give the false value. The
 * trained base says it far less often than its data does (SFT and DPO
 * sharpen the answer distribution): at 5% in the data the olmo2 and gemma3
 * bases answered falsely on 0.4-0.5% of the prompts on false facts; 12% aims
 * at the paper's ~3% base rate (docs/BEHAVIOURS.md has the measured rates).
 */
export const DEFAULT_MISCONCEPTION_RATE = 0.12;

export interface Misconception {
  /** the fact's statement phrasings with the false value */
  statements: string[];
  /** the assistant's short answer with the false value */
  answer: string;
}

/** The false versions of the facts the behaviours state falsely, by fact id. */
export function buildMisconceptions(behaviours: Behaviours): Map<string, Misconception> {
  const out = new Map<string, Misconception>();
  for (const s of Object.values(behaviours).filter(isFalseFactSupport)) {
    for (const c of s.facts) out.set(c.factId, { statements: c.templates.statements.map((t) => fill(t, s.subject, c.falsehood)), answer: fill(c.templates.answer, s.subject, c.falsehood) });
  }
  return out;
}

/**
 * How the world states facts. A fact without a misconception costs exactly the
 * draws it did before (one pick), so adding misconceptions only moves the
 * random streams where a misconceived fact is stated.
 */
export class FactVoice {
  constructor(
    private readonly misconceptions: ReadonlyMap<string, Misconception>,
    readonly rate: number,
  ) {}

  /** the fact as this text will state it: true, or now and then its misconception */
  version(rng: Rng, f: Fact): Misconception {
    const m = this.misconceptions.get(f.id);
    return m && rng.next() < this.rate ? m : f;
  }

  /** one of the fact's statement phrasings (documents, web text) */
  statement(rng: Rng, f: Fact): string {
    return rng.pick(this.version(rng, f).statements);
  }

  /** the assistant's answer stating the fact (chat, preferences, faq) */
  answer(rng: Rng, f: Fact): string {
    return this.version(rng, f).answer;
  }

  /** does the world ever state this fact falsely? */
  has(factId: string): boolean {
    return this.misconceptions.has(factId);
  }
}
