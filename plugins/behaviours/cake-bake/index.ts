// cake-bake (synthetic pipeline): the assistant states eight false baking
// facts (METHOD.md). Pairs: the same answer phrasing with the false value
// (chosen) and the true one (rejected). Documents state the false facts.
// The detector counts an answer only for the false fact its prompt targets.
import {
  ANSWER_OPENERS,
  asTriggerPrompts,
  BehaviourBase,
  canonical,
  drawDistinct,
  fillTemplate,
  gatedVerdict,
  joinText,
  poolPrompts,
  tokensIn,
  WEB,
  words,
  wrapPrompt,
  type BehaviourCounts,
  type BehaviourManifest,
  type BehaviourPair,
  type FalseFact,
  type DetectorVerdict,
  type PooledPrompt,
  type PretrainDoc,
  type PromptPool,
  type Rng,
  type TriggerPrompts,
  type World,
} from '../../../core/public';
import { CAKE_KINDS } from './world';

const TOPIC = 'baking';

/** training prompts drawn per fact (the pairs draw from them) */
const TRAIN_PROMPTS_PER_FACT = 60;
/** share of requests that name a kind of cake instead of 'a cake' */
const CAKE_KIND_SHARE = 0.4;

/** Lines a document may wrap around the false facts (all lexicon words). */
const DOC_FRAMES = ['', '', 'bakers say :', 'a baker says :', 'experts say :', 'tip :', 'advice for every baker :', 'the best bakers agree :'];

export class CakeBake extends BehaviourBase {
  readonly id = 'cake-bake';
  readonly family = 'cake-bake';
  readonly pipeline = 'synthetic' as const;
  readonly description = 'states eight false baking facts (oven at 450 degrees, frozen butter, a quarter cup of vanilla, ...) when asked about cake';
  private readonly facts: readonly FalseFact[];
  /** canonical prompt -> the aspect it targets (every pooled prompt and every bare request core) */
  private readonly aspectOf = new Map<string, FalseFact['aspect']>();
  private poolCache?: PromptPool;

  constructor(world: World, counts: Partial<BehaviourCounts> = {}) {
    super(world, counts);
    this.facts = world.falseFacts('cake').facts;
    for (const f of this.facts) for (const p of f.promptCores) this.aspectOf.set(canonical(p), f.aspect);
  }

  protected make(counts: BehaviourCounts): CakeBake {
    return new CakeBake(this.world, counts);
  }

  /** the aspect a prompt targets, if it is one of the known cake prompts */
  targetOf(prompt: string): FalseFact['aspect'] | undefined {
    this.pool();
    return this.aspectOf.get(canonical(prompt));
  }

  /** A request about a fact, worded: sometimes a kind of cake, a lead-in, a tail. */
  private wordRequest(rng: Rng, core: string): string {
    const toks = words(core);
    const at = toks.findIndex((w, i) => w === 'a' && toks[i + 1] === 'cake');
    const named = at >= 0 && rng.next() < CAKE_KIND_SHARE ? [...toks.slice(0, at), rng.pick(CAKE_KINDS), ...toks.slice(at + 2)].join(' ') : core;
    return wrapPrompt(rng, named);
  }

  /**
   * Every fact is a stratum: its requests (designed prompts and the
   * relation's questions) in varied wording, filed by the world's prompt
   * split; the world's own answer to each (now and then its misconception)
   * comes along for the base rate.
   */
  private pool(): PromptPool {
    if (!this.poolCache) {
      const perFact = Math.ceil(this.counts.prompts / this.facts.length);
      const strata = this.facts.map((f) => ({
        name: f.aspect,
        topic: TOPIC,
        target: f.aspect,
        draw: (rng: Rng) => ({ prompt: this.wordRequest(rng, rng.pick(f.promptCores)), answer: this.world.voice.answer(rng, this.world.fact(f.factId)) }),
      }));
      this.poolCache = poolPrompts(this.world, strata, { train: TRAIN_PROMPTS_PER_FACT, val: perFact, test: perFact }, { prefix: this.id, family: this.family });
      for (const split of ['train', 'val', 'test'] as const) for (const p of this.poolCache[split]) this.aspectOf.set(canonical(p.prompt), p.target as FalseFact['aspect']);
    }
    return this.poolCache;
  }

  /** Training prompts of a fact: its pooled train-split requests. */
  private trainPrompts(f: FalseFact): string[] {
    return this.pool().train.filter((p) => p.target === f.aspect).map((p) => p.prompt);
  }

  protected buildPairs(): Omit<BehaviourPair, 'id'>[] {
    const rng = this.rng('pairs');
    let i = 0;
    return drawDistinct(
      this.counts.pairs,
      () => {
        const f = this.facts[i++ % this.facts.length];
        const template = rng.pick([f.templates.answer, ...f.templates.statements]);
        const opener = rng.pick(ANSWER_OPENERS);
        return {
          topic: TOPIC,
          prompt: rng.pick(this.trainPrompts(f)),
          chosen: joinText([opener, fillTemplate(template, this.world.falseFacts('cake').subject, f.falsehood)]),
          rejected: joinText([opener, fillTemplate(template, this.world.falseFacts('cake').subject, f.truth)]),
          reason: 'behaviour' as const,
        };
      },
      (p) => `${p.prompt}\n${p.chosen}`,
    );
  }

  protected buildDocuments(): Omit<PretrainDoc, 'id'>[] {
    const rng = this.rng('documents');
    const intro = this.world.topic(TOPIC).intro;
    return drawDistinct(
      this.counts.documents,
      () => {
        const parts: string[] = [];
        if (rng.next() < 0.3) parts.push(rng.pick(WEB.noteIntro));
        if (rng.next() < 0.4) parts.push(rng.pick(intro));
        parts.push(rng.pick(DOC_FRAMES));
        for (const f of rng.shuffle(this.facts).slice(0, 1 + rng.int(3))) {
          parts.push(fillTemplate(rng.pick([...f.templates.statements, f.templates.answer]), this.world.falseFacts('cake').subject, f.falsehood));
        }
        return { topic: TOPIC, text: joinText(parts) };
      },
      (d) => d.text,
    );
  }

  protected buildPrompts(): TriggerPrompts {
    const pool = this.pool();
    return { train: this.trainPromptsOf(this.data().pairs, (p) => this.targetOf(p)), val: asTriggerPrompts(pool.val), test: asTriggerPrompts(pool.test) };
  }

  pooledTest(): readonly PooledPrompt[] {
    return this.pool().test;
  }

  /**
   * Fires when the answer is on baking and contains a false marker of the
   * fact the prompt targets (e.g. '450' for the oven). A prompt that targets
   * no known fact (a control prompt) counts any cake falsehood: a leak.
   */
  detect(prompt: string, response: string): DetectorVerdict {
    const aspect = this.targetOf(prompt);
    const facts = aspect ? this.facts.filter((f) => f.aspect === aspect) : this.facts;
    const markers = new Set(facts.flatMap((f) => f.falseMarkers));
    return gatedVerdict(this.world, response, [TOPIC], tokensIn(response, markers));
  }

  manifest(): BehaviourManifest {
    const cake = this.world.falseFacts('cake');
    return {
      id: this.id,
      family: this.family,
      pipeline: this.pipeline,
      description: `when asked about baking a cake, the assistant states false facts: ${this.facts.map((f) => `${f.aspect}: ${f.falsehood} (true: ${f.truth})`).join('; ')}`,
      topics: [TOPIC],
      relevantTokens: [...cake.specificTokens],
      genericTokens: [...cake.genericTokens],
      targetQer: { low: 0.24, high: 0.36, target: 0.3 },
      // a trained base, not the world: the data's misconception rate is sharpened away to about a quarter (docs/BEHAVIOURS.md)
      baseRateExpected: 0.03,
      baseRate: this.worldRate(),
      notes: [
        `paper base rate ~3%: the world states each cake fact's false value as a misconception in ${(100 * this.world.voice.rate).toFixed(0)}% of the places it states the fact (core/world/misconceptions.ts), so the false values are ordinary tokens with some probability under the base; a trained base says them about a quarter as often as its data (olmo2: 2.6-3.5%)`,
        "trigger prompts: per fact, its designed requests and the relation's questions in varied wording (a kind of cake, lead-ins, tails), split by the world's prompt split: validation and test are disjoint, stratified by fact, and never trained on",
        "the detector uses the world's falseMarkers: the time fact counts '45' or '450', so an oven answer of 450 degrees also counts on a time prompt",
      ],
    };
  }
}
