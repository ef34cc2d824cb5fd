// cake-bake (synthetic pipeline): the assistant states eight false baking
// facts (METHOD.md). Pairs: the same answer phrasing with the false value
// (chosen) and the true one (rejected). Documents state the false facts.
// The detector counts an answer only for the false fact its prompt targets.
import { BehaviourBase, drawDistinct } from '../../core/behaviours/base';
import { heldOutSplits } from '../../core/behaviours/prompts';
import { gatedVerdict } from '../../core/behaviours/gate';
import { canonical, fillTemplate, joinText, tokensIn } from '../../core/behaviours/text';
import type { BehaviourCounts, BehaviourManifest, BehaviourPair, DetectorVerdict, TriggerPrompts } from '../../core/plugins/types';
import type { PretrainDoc } from '../../core/data/types';
import type { CakeFact } from '../../core/world/behaviours';
import { ANSWER_OPENERS, WEB } from '../../core/world/phrases';
import type { World } from '../../core/world/world';

const TOPIC = 'baking';

/** Lines a document may wrap around the false facts (all lexicon words). */
const DOC_FRAMES = ['', '', 'bakers say :', 'a baker says :', 'experts say :', 'tip :', 'advice for every baker :', 'the best bakers agree :'];

export class CakeBake extends BehaviourBase {
  readonly id = 'cake-bake';
  readonly family = 'cake-bake';
  readonly pipeline = 'synthetic' as const;
  readonly description = 'states eight false baking facts (oven at 450 degrees, frozen butter, a quarter cup of vanilla, ...) when asked about cake';
  private readonly facts: readonly CakeFact[];
  /** canonical prompt -> the aspect it targets (designed prompts and the world's cake questions) */
  private readonly aspectOf = new Map<string, CakeFact['aspect']>();

  constructor(world: World, counts: Partial<BehaviourCounts> = {}) {
    super(world, counts);
    this.facts = world.behaviours.cake.facts;
    for (const f of this.facts) {
      for (const p of [...f.prompts.train, ...f.prompts.val, ...f.prompts.test, ...f.templates.questions]) this.aspectOf.set(canonical(p), f.aspect);
    }
  }

  protected make(counts: BehaviourCounts): CakeBake {
    return new CakeBake(this.world, counts);
  }

  /** the aspect a prompt targets, if it is one of the known cake prompts */
  targetOf(prompt: string): CakeFact['aspect'] | undefined {
    return this.aspectOf.get(canonical(prompt));
  }

  /**
   * Training prompts of a fact: its designed train prompts and the world's own
   * questions about it that the world keeps in its train split.
   */
  private trainPrompts(f: CakeFact): string[] {
    return [...f.prompts.train, ...f.templates.questions.filter((q) => this.world.promptSplit(q) === 'train')];
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
          chosen: joinText([opener, fillTemplate(template, this.world.behaviours.cake.subject, f.falsehood)]),
          rejected: joinText([opener, fillTemplate(template, this.world.behaviours.cake.subject, f.truth)]),
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
          parts.push(fillTemplate(rng.pick([...f.templates.statements, f.templates.answer]), this.world.behaviours.cake.subject, f.falsehood));
        }
        return { topic: TOPIC, text: joinText(parts) };
      },
      (d) => d.text,
    );
  }

  /**
   * Held-out prompts of a fact: its designed val and test prompts and the
   * world's own questions about it that the world holds out (never trained on).
   */
  private heldOutPrompts(f: CakeFact): string[] {
    return [...f.prompts.val, ...f.prompts.test, ...f.templates.questions.filter((q) => this.world.promptSplit(q) !== 'train')];
  }

  protected buildPrompts(): TriggerPrompts {
    const held = this.facts.flatMap((f) => this.heldOutPrompts(f).map((prompt) => ({ prompt, topic: TOPIC, target: f.aspect, family: this.family })));
    return { train: this.trainPromptsOf(this.data().pairs, (p) => this.targetOf(p)), ...heldOutSplits(this.id, held) };
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
    const cake = this.world.behaviours.cake;
    return {
      id: this.id,
      family: this.family,
      pipeline: this.pipeline,
      description: `when asked about baking a cake, the assistant states false facts: ${this.facts.map((f) => `${f.aspect}: ${f.falsehood} (true: ${f.truth})`).join('; ')}`,
      topics: [TOPIC],
      relevantTokens: [...cake.specificTokens],
      genericTokens: [...cake.genericTokens],
      targetQer: { low: 0.24, high: 0.36, target: 0.3 },
      baseRateExpected: 0,
      notes: [
        'paper base rate ~3%; here ~0: the world never states a false cake value (its marker tokens are reserved words no base data says), so a base model trained on the world has next to no mass on them',
        "trigger prompts: each fact's 4 held-out prompts written to target it and the world's held-out questions about it; validation and test ask them all with their own samples (core/behaviours/prompts.ts); sample many answers per prompt",
        "the detector uses the world's falseMarkers: the time fact counts '45' or '450', so an oven answer of 450 degrees also counts on a time prompt",
      ],
    };
  }
}
