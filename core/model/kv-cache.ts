// Key/value cache for incremental decoding. Keys are stored after RoPE, per
// layer, as [B, KV, S, D]. Sliding-window layers keep only the last `window`
// keys (older ones can never be attended to again), so their cost per step
// stays constant; `start` records the absolute index of the first kept key.
import { tf } from '../engine/tf';
import type { KvCacheHandle } from './types';

export interface LayerCache {
  k: tf.Tensor4D | null;
  v: tf.Tensor4D | null;
  /** absolute index of the first key held */
  start: number;
}

export class KvCache implements KvCacheHandle {
  readonly layers: LayerCache[];
  /** keyValid[b][j]: 1 if absolute position j of row b is a real token */
  keyValid: number[][];
  /** real tokens seen so far per row (the next RoPE position) */
  realCount: number[];
  private disposed = false;

  constructor(
    public batchSize: number,
    numLayers: number,
  ) {
    this.layers = Array.from({ length: numLayers }, () => ({ k: null, v: null, start: 0 }));
    this.keyValid = Array.from({ length: batchSize }, () => []);
    this.realCount = new Array<number>(batchSize).fill(0);
  }

  selectRows(rows: readonly number[]): void {
    rows.forEach((r) => {
      if (!(Number.isInteger(r) && r >= 0 && r < this.batchSize)) throw new RangeError(`KV cache: row ${r} is not one of its ${this.batchSize} rows`);
    });
    for (const l of this.layers) {
      l.k = l.k && pickRows(l.k, rows);
      l.v = l.v && pickRows(l.v, rows);
    }
    this.keyValid = rows.map((r) => this.keyValid[r].slice());
    this.realCount = rows.map((r) => this.realCount[r]);
    this.batchSize = rows.length;
  }

  /** absolute positions consumed so far */
  get length(): number {
    return this.keyValid.length ? this.keyValid[0].length : 0;
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  dispose(): void {
    for (const l of this.layers) {
      l.k?.dispose();
      l.v?.dispose();
      l.k = null;
      l.v = null;
    }
    this.disposed = true;
  }
}

/**
 * Rows of a [B, ...] tensor, copied block by block (a row is contiguous);
 * disposes the input. tf.gather on wasm indexes element by element, many
 * times slower for the blocks of a cache.
 */
function pickRows(t: tf.Tensor4D, rows: readonly number[]): tf.Tensor4D {
  const [, ...rest] = t.shape;
  const size = rest.reduce((p, d) => p * d, 1);
  const from = t.dataSync() as Float32Array;
  const out = new Float32Array(rows.length * size);
  rows.forEach((r, i) => out.set(from.subarray(r * size, (r + 1) * size), i * size));
  t.dispose();
  return tf.tensor4d(out, [rows.length, ...rest] as [number, number, number, number]);
}
