import { Rng } from '../engine/rng';
import { MoltError } from '../errors';
import { WordTokenizer } from '../tokenizer/word-tokenizer';
import type { DataCounts, DataKind, DataKindMap, DataSource, Split } from '../data/types';
import { DATA_KINDS } from '../data/types';
import { generateKind } from '../data/generate';
import { buildBehaviours, isFalseFactSupport, type Behaviours, type BehaviourSupport, type FalseFactSupport } from './behaviours';
import { applyContent, type WorldContribution } from './content';
import { buildFacts } from './facts';
import { buildLexicon } from './lexicon';
import { buildMisconceptions, DEFAULT_MISCONCEPTION_RATE, FactVoice } from './misconceptions';
import { buildTopicIndex, isOnTopic, type TopicIndex } from './on-topic';
import { TOPIC_SPECS } from './topics';
import type { Entity, Fact, Topic } from './types';

export type WorldSize = 'micro' | 'default';

const ALL = Number.MAX_SAFE_INTEGER;

/**
 * Records per split. 'default' gives ~0.7M pretraining tokens (about 11 min
 * of pretraining at ~1k tokens/s per pass); 'micro' is for tests.
 */
export const SIZE_PRESETS: Record<WorldSize, DataCounts> = {
  micro: {
    pretrain: { train: 300, val: 30, test: 30 },
    chat: { train: 200, val: 40, test: 40 },
    preference: { train: 120, val: 30, test: 30 },
    webtext: { train: 100, val: 20, test: 20 },
    'fact-question': { train: ALL, val: ALL, test: ALL },
  },
  default: {
    pretrain: { train: 12000, val: 600, test: 600 },
    chat: { train: 6000, val: 500, test: 500 },
    preference: { train: 4000, val: 400, test: 400 },
    webtext: { train: 4000, val: 300, test: 300 },
    'fact-question': { train: ALL, val: ALL, test: ALL },
  },
};

export interface WorldOptions {
  /** a preset of record counts (default 'default') */
  size?: WorldSize;
  /** overrides of the preset, per kind and split */
  counts?: { [K in DataKind]?: Partial<Record<Split, number>> };
  /** further words to add to the lexicon (e.g. for real JSONL data) */
  extraWords?: readonly string[];
  /** share of distinct prompts that go to the val and test splits (default 0.1 each) */
  heldOutShare?: number;
  /** share of each relation's facts held out for val and for test (default 0.2 each; see factSplit) */
  heldOutFactShare?: number;
  /** share of a misconceived fact's statements that give its false value (default 0.05; misconceptions.ts) */
  misconceptionRate?: number;
  /** content from behaviour plugins (content.ts), applied in this order; none: the generic topics alone */
  content?: readonly WorldContribution[];
}

/** a relation needs this many facts before any is held out, so its phrasings are still trained on others */
const MIN_FACTS_TO_HOLD_OUT = 4;

/**
 * The synthetic world: topics, entities and true facts (fixed content), a
 * lexicon and tokenizer (seed-independent), and data of every kind by split
 * (generated lazily, deterministic by seed).
 */
export class World implements DataSource {
  readonly topics: readonly Topic[];
  readonly entities: readonly Entity[];
  readonly facts: readonly Fact[];
  readonly lexicon: readonly string[];
  readonly tokenizer: WordTokenizer;
  readonly behaviours: Behaviours;
  readonly topicIndex: TopicIndex;
  readonly counts: DataCounts;
  /** the preset the record counts start from */
  readonly size: WorldSize;
  readonly heldOutShare: number;
  readonly heldOutFactShare: number;
  /** states facts, now and then with a known misconception (misconceptions.ts) */
  readonly voice: FactVoice;
  private readonly topicMap: Map<string, Topic>;
  private readonly entityMap: Map<string, Entity>;
  private readonly factMap: Map<string, Fact>;
  private readonly splitCache = new Map<string, Split>();
  private readonly factSplits: ReadonlyMap<string, Split>;
  private readonly dataCache = new Map<DataKind, Record<Split, unknown[]>>();

  constructor(readonly seed: number | string, opts: WorldOptions = {}) {
    const content = opts.content ?? [];
    const { specs, words } = content.length > 0 ? applyContent(TOPIC_SPECS, content) : { specs: TOPIC_SPECS, words: [] };
    const built = buildFacts(specs);
    this.topics = built.topics;
    this.entities = built.entities;
    this.facts = built.facts;
    this.lexicon = buildLexicon(specs, [...(opts.extraWords ?? []), ...words]);
    this.tokenizer = new WordTokenizer(this.lexicon);
    const supports = content.flatMap((c) => (c.content.support ? [{ key: c.content.support.key ?? c.key, source: c.source, support: c.content.support }] : []));
    this.behaviours = buildBehaviours(specs, this.topics, this.entities, this.facts, supports);
    this.topicIndex = buildTopicIndex(this.topics);
    this.topicMap = new Map(this.topics.map((t) => [t.id, t]));
    this.entityMap = new Map(this.entities.map((e) => [e.id, e]));
    this.factMap = new Map(this.facts.map((f) => [f.id, f]));
    this.size = opts.size ?? 'default';
    const preset = SIZE_PRESETS[this.size];
    if (!preset) throw new MoltError(`world: unknown size '${opts.size}' (expected ${Object.keys(SIZE_PRESETS).join(', ')})`, 'size');
    this.counts = Object.fromEntries(DATA_KINDS.map((k) => [k, { ...preset[k], ...(opts.counts?.[k] ?? {}) }])) as DataCounts;
    this.heldOutShare = opts.heldOutShare ?? 0.1;
    if (!(this.heldOutShare > 0 && this.heldOutShare < 0.5)) throw new MoltError(`world: heldOutShare must be in (0, 0.5), got ${this.heldOutShare}`, 'heldOutShare');
    this.heldOutFactShare = opts.heldOutFactShare ?? 0.2;
    if (!(this.heldOutFactShare > 0 && this.heldOutFactShare < 0.5)) throw new MoltError(`world: heldOutFactShare must be in (0, 0.5), got ${this.heldOutFactShare}`, 'heldOutFactShare');
    this.factSplits = this.assignFactSplits();
    const rate = opts.misconceptionRate ?? DEFAULT_MISCONCEPTION_RATE;
    if (!(rate >= 0 && rate < 0.5)) throw new MoltError(`world: misconceptionRate must be in [0, 0.5), got ${rate}`, 'misconceptionRate');
    this.voice = new FactVoice(buildMisconceptions(this.behaviours), rate);
  }

  topic(id: string): Topic {
    const t = this.topicMap.get(id);
    if (!t) throw new MoltError(`world: unknown topic '${id}'`, id);
    return t;
  }

  entity(id: string): Entity {
    const e = this.entityMap.get(id);
    if (!e) throw new MoltError(`world: unknown entity '${id}'`, id);
    return e;
  }

  fact(id: string): Fact {
    const f = this.factMap.get(id);
    if (!f) throw new MoltError(`world: unknown fact '${id}'`, id);
    return f;
  }

  /** The world's support of a behaviour (its topics, entities and specific tokens) by key. */
  support(key: string): BehaviourSupport {
    const s = this.behaviours[key];
    if (!s) throw new MoltError(`world: no behaviour support '${key}'; valid: ${Object.keys(this.behaviours).join(', ')}`, key);
    return s;
  }

  /** A support whose behaviour states false values of its entity's facts (its support's falseFacts). */
  falseFacts(key: string): FalseFactSupport {
    const s = this.support(key);
    if (!isFalseFactSupport(s)) throw new MoltError(`world: behaviour support '${key}' has no false facts`, key);
    return s;
  }

  factsOf(entityId: string): Fact[] {
    return this.entity(entityId).factIds.map((id) => this.fact(id));
  }

  /** A named random stream of this world's seed. */
  rng(name: string): Rng {
    return new Rng(this.seed).fork(name);
  }

  /**
   * The split a user prompt belongs to. Every distinct prompt lives in one
   * split only, for every kind that uses prompts (chat, preference, web faq),
   * so held-out prompts are never trained on.
   */
  promptSplit(prompt: string): Split {
    let s = this.splitCache.get(prompt);
    if (!s) {
      const u = new Rng(`${this.seed}/prompt-split/${prompt}`).next();
      s = u < this.heldOutShare ? 'val' : u < 2 * this.heldOutShare ? 'test' : 'train';
      this.splitCache.set(prompt, s);
    }
    return s;
  }

  /**
   * The split a fact belongs to. No training chat, preference pair or web
   * faq ASKS a held-out (val/test) fact, in any phrasing; like every fact it
   * is stated in documents and in descriptions of its entity. Evaluation asks
   * it in phrasings the model was trained on for OTHER facts: a held-out
   * question instance, not an unseen question template.
   */
  factSplit(factId: string): Split {
    this.fact(factId);
    return this.factSplits.get(factId) ?? 'train';
  }

  /** May a record of this split's chat/preference/web faq ask the fact? (train records: train facts only) */
  factAskableIn(factId: string, split: Split): boolean {
    return split !== 'train' || this.factSplit(factId) === 'train';
  }

  /**
   * Stratified by relation, seeded: of each relation's eligible facts a
   * shuffled share goes to val and the same share to test. Not eligible (so
   * always train): the facts of entities a behaviour states false values of
   * (the base must have been taught them) and relations with too
   * few facts to be asked in a phrasing seen for another fact.
   */
  private assignFactSplits(): Map<string, Split> {
    const rng = this.rng('fact-split');
    const falsified = new Set(Object.values(this.behaviours).filter(isFalseFactSupport).flatMap((s) => s.entityIds));
    const byRelation = new Map<string, Fact[]>();
    for (const f of this.facts) {
      if (falsified.has(f.entityId)) continue;
      byRelation.set(f.relation, [...(byRelation.get(f.relation) ?? []), f]);
    }
    const out = new Map<string, Split>();
    for (const facts of byRelation.values()) {
      if (facts.length < MIN_FACTS_TO_HOLD_OUT) continue;
      const k = Math.max(1, Math.round(facts.length * this.heldOutFactShare));
      rng.shuffle(facts).forEach((f, i) => out.set(f.id, i < k ? 'val' : i < 2 * k ? 'test' : 'train'));
    }
    return out;
  }

  /** Records of a data kind in a split (generated once, then cached). */
  data<K extends DataKind>(kind: K, split: Split): DataKindMap[K][] {
    let all = this.dataCache.get(kind);
    if (!all) {
      all = generateKind(this, kind);
      this.dataCache.set(kind, all);
    }
    return all[split] as DataKindMap[K][];
  }

  /** Chat examples of the given topics (e.g. food conversations: ['baking', 'cooking']). */
  conversations(topics: readonly string[], split: Split) {
    return this.data('chat', split).filter((c) => topics.includes(c.topic));
  }

  /** The on-topic rule of docs/DATA.md, for this world. */
  isOnTopic(answer: string | readonly string[] | readonly number[], topic: string): boolean {
    return isOnTopic(answer, topic, this);
  }

  /** Plain content for manifests and equality checks (no data). */
  describe() {
    return { seed: this.seed, topics: this.topics, entities: this.entities, facts: this.facts, factSplits: Object.fromEntries(this.factSplits), lexicon: this.lexicon, behaviours: this.behaviours, counts: this.counts, misconceptionRate: this.voice.rate };
  }
}

/** Build the world of a seed. Same seed and options -> the same world and data, across runs. */
export function buildWorld(seed: number | string = 0, opts: WorldOptions = {}): World {
  return new World(seed, opts);
}
