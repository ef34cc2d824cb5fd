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
  readonly keyValid: number[][];
  /** real tokens seen so far per row (the next RoPE position) */
  readonly realCount: number[];
  private disposed = false;

  constructor(
    readonly batchSize: number,
    numLayers: number,
  ) {
    this.layers = Array.from({ length: numLayers }, () => ({ k: null, v: null, start: 0 }));
    this.keyValid = Array.from({ length: batchSize }, () => []);
    this.realCount = new Array<number>(batchSize).fill(0);
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
