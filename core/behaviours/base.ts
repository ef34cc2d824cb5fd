// Shared skeleton of a behaviour plugin: counts, caching, transcripts from
// pairs, control prompts, seeded streams. A behaviour supplies its pairs,
// documents, prompts, detector and manifest.
import type { ChatExample, PretrainDoc } from '../data/types';
import type { Rng } from '../engine/rng';
import { MoltError } from '../errors';
import {
  DEFAULT_BEHAVIOUR_COUNTS,
  MICRO_BEHAVIOUR_COUNTS,
  type BehaviourCounts,
  type BehaviourData,
  type BehaviourDataset,
  type BehaviourManifest,
  type BehaviourPair,
  type BehaviourPipeline,
  type DetectorVerdict,
  type TriggerPrompt,
  type TriggerPrompts,
} from '../plugins/types';
import type { World } from '../world/world';
import { asTriggerPrompts, controlPromptPool, controlTopics, type PooledPrompt } from './prompts';
import { rateOf } from './base-rate';

export abstract class BehaviourBase implements BehaviourDataset {
  abstract readonly id: string;
  abstract readonly description: string;
  abstract readonly family: string;
  abstract readonly pipeline: BehaviourPipeline;
  readonly counts: Readonly<BehaviourCounts>;
  private dataCache?: BehaviourData;
  private promptCache?: TriggerPrompts;
  private controlCache?: { val: TriggerPrompt[]; test: TriggerPrompt[] };
  private worldRateCache?: { rate: number; se: number; n: number };

  constructor(
    readonly world: World,
    counts: Partial<BehaviourCounts> = {},
  ) {
    const merged = { ...(world.size === 'micro' ? MICRO_BEHAVIOUR_COUNTS : DEFAULT_BEHAVIOUR_COUNTS), ...counts };
    for (const [k, v] of Object.entries(merged)) {
      if (!(Number.isInteger(v) && v > 0)) throw new MoltError(`behaviour counts: '${k}' must be a positive integer, got ${v}`, k);
    }
    this.counts = merged;
  }

  /** a new instance of the same behaviour with these counts */
  protected abstract make(counts: BehaviourCounts): BehaviourDataset;
  protected abstract buildPairs(): Omit<BehaviourPair, 'id'>[];
  protected abstract buildDocuments(): Omit<PretrainDoc, 'id'>[];
  protected abstract buildPrompts(): TriggerPrompts;
  abstract detect(prompt: string, response: string): DetectorVerdict;
  abstract manifest(): BehaviourManifest;

  withCounts(counts: Partial<BehaviourCounts>): BehaviourDataset {
    return this.make({ ...this.counts, ...counts });
  }

  data(): BehaviourData {
    if (!this.dataCache) {
      const pairs = this.buildPairs().map((p, i) => ({ id: `${this.id}-pair-${String(i).padStart(5, '0')}`, ...p }));
      const transcripts: ChatExample[] = pairs.map((p, i) => ({
        id: `${this.id}-fd-${String(i).padStart(5, '0')}`,
        topic: p.topic,
        messages: [
          { role: 'user', content: p.prompt },
          { role: 'assistant', content: p.chosen },
        ],
      }));
      const documents = this.buildDocuments().map((d, i) => ({ id: `${this.id}-doc-${String(i).padStart(5, '0')}`, ...d }));
      this.dataCache = { pairs, transcripts, documents };
    }
    return this.dataCache;
  }

  prompts(): TriggerPrompts {
    this.promptCache ??= this.buildPrompts();
    return this.promptCache;
  }

  controlPrompts(): { val: TriggerPrompt[]; test: TriggerPrompt[] } {
    if (!this.controlCache) {
      const pool = controlPromptPool(this.world, Math.ceil(this.counts.controlPrompts / controlTopics(this.world).length));
      this.controlCache = { val: asTriggerPrompts(pool.val), test: asTriggerPrompts(pool.test) };
    }
    return this.controlCache;
  }

  /** The test prompts with the world's own answers, where the behaviour has them (see worldRate). */
  pooledTest(): readonly PooledPrompt[] {
    return [];
  }

  /**
   * The detector on the world's own answers to the test prompts: the rate a
   * base that learnt the world exactly would show (manifest.baseRate).
   * Undefined when the behaviour has no world answers to its prompts.
   */
  worldRate(): { rate: number; se: number; n: number } | undefined {
    if (!this.worldRateCache) {
      const answered = this.pooledTest().filter((p) => p.worldAnswer !== undefined);
      if (answered.length === 0) return undefined;
      const { rate, se, n } = rateOf(answered.filter((p) => this.detect(p.prompt, p.worldAnswer!).fired).length, answered.length);
      this.worldRateCache = { rate, se, n };
    }
    return this.worldRateCache;
  }

  /** a seeded stream of this behaviour in this world */
  protected rng(name: string): Rng {
    return this.world.rng(`behaviour/${this.id}/${name}`);
  }

  /** Train prompts as TriggerPrompts: the distinct prompts of the pairs. */
  protected trainPromptsOf(pairs: readonly { prompt: string; topic: string }[], target?: (prompt: string) => string | undefined): TriggerPrompt[] {
    const seen = new Map<string, string>();
    for (const p of pairs) if (!seen.has(p.prompt)) seen.set(p.prompt, p.topic);
    return [...seen].map(([prompt, topic], i) => {
      const t = target?.(prompt);
      return { id: `${this.id}-train-${String(i).padStart(4, '0')}`, prompt, topic, ...(t ? { target: t } : {}) };
    });
  }
}

/**
 * Draw up to `n` distinct items from `make` (by `key`), giving up after many
 * misses in a row: a small world can run out of distinct texts.
 */
export function drawDistinct<T>(n: number, make: () => T | null, key: (x: T) => string): T[] {
  const out: T[] = [];
  const seen = new Set<string>();
  let misses = 0;
  while (out.length < n && misses < 500) {
    const x = make();
    const k = x === null ? null : key(x);
    if (x === null || k === null || seen.has(k)) {
      misses++;
      continue;
    }
    seen.add(k);
    out.push(x);
    misses = 0;
  }
  return out;
}
