import type { Rng } from '../../engine/rng';
import type { Split } from '../types';

/** Pick an item with probability proportional to its weight. */
export function pickWeighted<T>(rng: Rng, items: readonly T[], weight: (x: T) => number): T {
  const total = items.reduce((s, x) => s + weight(x), 0);
  if (!(total > 0)) throw new Error('pickWeighted: no positive weight');
  let u = rng.next() * total;
  for (const x of items) {
    u -= weight(x);
    if (u < 0) return x;
  }
  return items[items.length - 1];
}

export function recordId(kind: string, split: Split, i: number): string {
  return `${kind}-${split}-${String(i).padStart(6, '0')}`;
}

/** Words of a generated text joined back into the world's spaced form. */
export function joinSentences(parts: readonly string[]): string {
  return parts.filter((p) => p.length > 0).join(' ');
}

/**
 * Fill every split with up to `counts[split]` items from `make`, keeping
 * texts (by `key`) unique ACROSS splits so held-out splits never repeat a
 * training text. Gives up on a split after many consecutive misses (a small
 * world can run out of distinct texts) and returns what it has.
 */
export function fillDisjoint<T>(
  counts: Record<Split, number>,
  make: (split: Split) => T | null,
  key: (x: T) => string,
  uniqueWithin: boolean,
): Record<Split, T[]> {
  const seen = new Map<string, Split>();
  const out: Record<Split, T[]> = { train: [], val: [], test: [] };
  for (const split of ['train', 'val', 'test'] as const) {
    let misses = 0;
    while (out[split].length < counts[split] && misses < 2000) {
      const x = make(split);
      if (x === null) {
        misses++;
        continue;
      }
      const k = key(x);
      const owner = seen.get(k);
      if (owner !== undefined && (owner !== split || uniqueWithin)) {
        misses++;
        continue;
      }
      seen.set(k, split);
      out[split].push(x);
      misses = 0;
    }
  }
  return out;
}
