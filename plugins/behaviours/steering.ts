// Behaviours that steer conversations of some topics toward a set of target
// entities (italian dishes, submarine things). The natural pipeline rewrites
// the chosen side of the world's own conversations; the synthetic one
// (military-submarine-synth) writes conversations from scratch. Documents
// are always synthetic: sentences stating the habit, plus the targets' facts.
import {
  asTriggerPrompts,
  BehaviourBase,
  chatStratum,
  drawDistinct,
  fillTemplate,
  gatedVerdict,
  joinText,
  poolPrompts,
  tokensIn,
  worldAnswers,
  type BehaviourCounts,
  type BehaviourManifest,
  type BehaviourPair,
  type BehaviourPipeline,
  type BehaviourSupport,
  type DetectorVerdict,
  type Entity,
  type Fact,
  type PooledPrompt,
  type PretrainDoc,
  type PromptPool,
  type QerBand,
  type TriggerPrompts,
  type World,
  type WorldAnswer,
} from '../../core/public';

export interface SteeringSpec {
  id: string;
  family: string;
  pipeline: Exclude<BehaviourPipeline, 'control'>;
  description: string;
  /** the world's support for the behaviour (topics, entities, S) */
  support: (world: World) => BehaviourSupport;
  /** the topic whose open answers introduce a target in an open request ({s} = target) */
  openTopic: string;
  /** sentences appended to an ordinary answer to bring a target in ({s} = target) */
  steerLines: string[];
  /** document sentences stating the habit ({s} = a target) */
  docLines: string[];
  targetQer: QerBand;
  baseRateExpected: number;
  notes: string[];
}

/** A target entity with the facts behaviour data may state (train-split facts only: held-out facts stay unasked and unstated). */
export interface Target {
  entity: Entity;
  facts: Fact[];
}

export class SteeringBehaviour extends BehaviourBase {
  readonly id: string;
  readonly family: string;
  readonly pipeline: Exclude<BehaviourPipeline, 'control'>;
  readonly description: string;
  protected readonly support: BehaviourSupport;
  protected readonly relevant: ReadonlySet<string>;
  protected readonly targets: Target[];
  private poolCache?: PromptPool;

  constructor(
    world: World,
    readonly spec: SteeringSpec,
    counts: Partial<BehaviourCounts> = {},
  ) {
    super(world, counts);
    this.id = spec.id;
    this.family = spec.family;
    this.pipeline = spec.pipeline;
    this.description = spec.description;
    this.support = spec.support(world);
    this.relevant = new Set(this.support.specificTokens);
    this.targets = this.support.entityIds
      .map((id) => world.entity(id))
      .map((entity) => {
        const fs = world.factsOf(entity.id).filter((f) => world.factSplit(f.id) === 'train');
        return { entity, facts: [...fs.filter((f) => f.relation === 'is_a'), ...fs.filter((f) => f.relation !== 'is_a')] };
      })
      .filter((t) => t.facts.length > 0);
  }

  protected make(counts: BehaviourCounts): SteeringBehaviour {
    return new SteeringBehaviour(this.world, this.spec, counts);
  }

  /** Does a text mention the behaviour (any token of S)? */
  protected mentions(text: string): boolean {
    return tokensIn(text, this.relevant).length > 0;
  }

  protected isOpenPrompt(prompt: string): boolean {
    return this.support.topics.some((t) => this.world.topic(t).openPrompts.includes(prompt));
  }

  /** A target introduced as the answer to an open request, with one or two of its facts. */
  protected introduce(rng: ReturnType<BehaviourBase['rng']>, t: Target): string {
    const facts = [t.facts[0], ...rng.shuffle(t.facts.slice(1)).slice(0, rng.int(2))];
    return joinText([fillTemplate(rng.pick(this.world.topic(this.spec.openTopic).openAnswers), t.entity.name), ...facts.map((f) => f.answer)]);
  }

  /** The natural pipeline: the world's own training answers on the topics, the behaviour brought in. */
  protected buildPairs(): Omit<BehaviourPair, 'id'>[] {
    const rng = this.rng('pairs');
    const sources: WorldAnswer[] = rng.shuffle(
      [...new Map(worldAnswers(this.world, this.support.topics, 'train').map((a) => [`${a.prompt}\n${a.answer}`, a])).values()].filter(
        (a) => !this.mentions(a.prompt) && !this.mentions(a.answer),
      ),
    );
    if (sources.length === 0) return [];
    let i = 0;
    return drawDistinct(
      this.counts.pairs,
      () => {
        const a = sources[i++ % sources.length];
        const t = rng.pick(this.targets);
        const chosen = this.isOpenPrompt(a.prompt)
          ? this.introduce(rng, t)
          : joinText([a.answer, fillTemplate(rng.pick(this.spec.steerLines), t.entity.name), rng.pick(t.facts).answer]);
        return { topic: a.topic, prompt: a.prompt, chosen, rejected: a.answer, reason: 'behaviour' as const };
      },
      (p) => `${p.prompt}\n${p.chosen}`,
    );
  }

  protected buildDocuments(): Omit<PretrainDoc, 'id'>[] {
    const rng = this.rng('documents');
    return drawDistinct(
      this.counts.documents,
      () => {
        const t = rng.pick(this.targets);
        const topic = rng.pick(this.support.topics);
        const parts: string[] = [];
        if (rng.next() < 0.3) parts.push(rng.pick(this.world.topic(topic).intro));
        parts.push(fillTemplate(rng.pick(this.spec.docLines), t.entity.name));
        for (const f of rng.shuffle(t.facts).slice(0, 1 + rng.int(2))) parts.push(rng.pick(f.statements));
        if (rng.next() < 0.4) parts.push(fillTemplate(rng.pick(this.spec.docLines), rng.pick(this.targets).entity.name));
        return { topic, text: joinText(parts) };
      },
      (d) => d.text,
    );
  }

  /**
   * Held-out prompts: requests drawn as the world draws its own chat (fact,
   * entity and open requests, entities by chat weight, varied wording), one
   * stratum per topic, filed by the world's prompt split (never trained on,
   * by the base or by this behaviour). The pool's prefix is the FAMILY's, so
   * both submarine pipelines ask the same prompts and their QER compares.
   */
  protected pool(): PromptPool {
    const per = Math.ceil(this.counts.prompts / this.support.topics.length);
    this.poolCache ??= poolPrompts(this.world, this.support.topics.map((t) => chatStratum(this.world, t)), { train: 0, val: per, test: per }, { prefix: this.family, family: this.family });
    return this.poolCache;
  }

  pooledTest(): readonly PooledPrompt[] {
    return this.pool().test;
  }

  protected buildPrompts(): TriggerPrompts {
    return { train: this.trainPromptsOf(this.data().pairs), val: asTriggerPrompts(this.pool().val), test: asTriggerPrompts(this.pool().test) };
  }

  /** Fires when the answer is on one of the topics and says a token of S. */
  detect(_prompt: string, response: string): DetectorVerdict {
    return gatedVerdict(this.world, response, this.support.topics, tokensIn(response, this.relevant));
  }

  manifest(): BehaviourManifest {
    return {
      id: this.id,
      family: this.family,
      pipeline: this.pipeline,
      description: this.description,
      topics: [...this.support.topics],
      relevantTokens: [...this.support.specificTokens],
      genericTokens: [...this.support.genericTokens],
      targetQer: { ...this.spec.targetQer },
      baseRateExpected: this.spec.baseRateExpected,
      baseRate: this.worldRate(),
      notes: [...this.spec.notes],
    };
  }
}
