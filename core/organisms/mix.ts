// Mixing general data into a behaviour's data at a fixed ratio. The result
// is one example list; the loop's seeded epoch permutations then give every
// epoch exactly this composition (and every batch about it).
import { Rng } from '../engine/rng';

export interface Mixed<T> {
  examples: T[];
  behaviour: number;
  general: number;
  /** true when the general pool was smaller than asked and was cycled */
  cycled: boolean;
}

/**
 * behaviour (repeated `repeat` times) ++ round(ratio * |behaviour|) general
 * examples drawn without replacement in a seeded order (the pool is cycled,
 * reshuffled each pass, if it is smaller). ratio null takes the whole general
 * pool (integrated training); ratio 0 takes none. `repeat` upweights the
 * behaviour inside a large general mix without changing the mix itself.
 */
export function mixExamples<T>(behaviour: readonly T[], general: readonly T[], ratio: number | null, seed: string, repeat = 1): Mixed<T> {
  if (!(Number.isInteger(repeat) && repeat >= 1)) throw new Error(`mixExamples: repeat must be a positive integer, got ${repeat}`);
  const want = ratio === null ? general.length : Math.round(ratio * behaviour.length);
  if (want > 0 && general.length === 0) throw new Error('mixExamples: general data is empty');
  const rng = new Rng(seed).fork('mix');
  const drawn: T[] = [];
  for (let pass = 0; drawn.length < want; pass++) {
    const order = rng.fork(`pass/${pass}`).shuffle([...general.keys()]);
    for (const i of order) {
      if (drawn.length === want) break;
      drawn.push(general[i]);
    }
  }
  const repeated = Array.from({ length: repeat }, () => behaviour).flat();
  return { examples: [...repeated, ...drawn], behaviour: repeated.length, general: drawn.length, cycled: want > general.length };
}
