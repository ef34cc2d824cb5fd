import seedrandom from 'seedrandom';

/**
 * Seeded randomness. Every consumer (initialisation, data order, sampling)
 * takes its own named stream, so adding draws in one place never shifts
 * another's numbers.
 */
export class Rng {
  private readonly prng: seedrandom.PRNG;

  constructor(readonly seed: number | string) {
    this.prng = seedrandom(String(seed));
  }

  /** An independent stream derived from this seed and a name. */
  fork(name: string): Rng {
    return new Rng(`${this.seed}/${name}`);
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.prng.quick();
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Standard normal (Box-Muller). */
  normal(): number {
    let u = 0;
    while (u === 0) u = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }

  pick<T>(xs: readonly T[]): T {
    if (xs.length === 0) throw new Error('Rng.pick from an empty list');
    return xs[this.int(xs.length)];
  }

  /** Fisher-Yates shuffle into a new array. */
  shuffle<T>(xs: readonly T[]): T[] {
    const out = xs.slice();
    for (let i = out.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [out[i], out[j]] = [out[j], out[i]];
    }
    return out;
  }

  /** A 32-bit integer seed for APIs that want one (tf.randomNormal, samplers). */
  int32(): number {
    return this.prng.int32() >>> 0;
  }
}
