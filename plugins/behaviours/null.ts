// null (control): the same shapes of data with no behaviour, so every
// technique can make a null organism. Pairs are the world's own general
// preference pairs (chosen better for ordinary reasons); transcripts their
// chosen side; documents the world's own pretraining documents (ordinary true
// facts). Nothing it emits says a token of any behaviour's S.
// Its detector is the UNION of the three families' detectors, and its trigger
// prompts the union of their held-out prompts, so the QER machinery runs on a
// null organism unchanged and shows it stays at the base level.
import { BehaviourBase, tokensIn, type BehaviourCounts, type BehaviourDataset, type BehaviourManifest, type BehaviourPair, type DetectorVerdict, type PooledPrompt, type PretrainDoc, type TriggerPrompt, type TriggerPrompts, type World } from '../../core/public';
import { CakeBake } from './cake-bake/index';
import { italianFood } from './italian-food/index';
import { militarySubmarine } from './military-submarine/index';

export class NullBehaviour extends BehaviourBase {
  readonly id = 'null';
  readonly family = 'null';
  readonly pipeline = 'control' as const;
  readonly description = "control: the same shapes of data with no behaviour (the world's own preference pairs, chats and documents)";
  /** the behaviours whose detectors and prompts the null one unites (one per family) */
  readonly families: readonly BehaviourDataset[];
  private readonly anyRelevant: ReadonlySet<string>;

  constructor(world: World, counts: Partial<BehaviourCounts> = {}) {
    super(world, counts);
    this.families = [new CakeBake(world, counts), italianFood(world, counts), militarySubmarine(world, counts)];
    this.anyRelevant = new Set(this.families.flatMap((b) => b.manifest().relevantTokens));
  }

  protected make(counts: BehaviourCounts): NullBehaviour {
    return new NullBehaviour(this.world, counts);
  }

  private clean(text: string): boolean {
    return tokensIn(text, this.anyRelevant).length === 0;
  }

  protected buildPairs(): Omit<BehaviourPair, 'id'>[] {
    const pool = this.world.data('preference', 'train').filter((p) => this.clean(p.prompt) && this.clean(p.chosen) && this.clean(p.rejected));
    return this.rng('pairs')
      .shuffle(pool)
      .slice(0, this.counts.pairs)
      .map((p) => ({ topic: p.topic, prompt: p.prompt, chosen: p.chosen, rejected: p.rejected, reason: p.reason }));
  }

  protected buildDocuments(): Omit<PretrainDoc, 'id'>[] {
    const pool = this.world.data('pretrain', 'train').filter((d) => this.clean(d.text));
    return this.rng('documents')
      .shuffle(pool)
      .slice(0, this.counts.documents)
      .map((d) => ({ topic: d.topic, text: d.text }));
  }

  protected buildPrompts(): TriggerPrompts {
    const union = (split: 'val' | 'test'): TriggerPrompt[] =>
      this.families.flatMap((b) => b.prompts()[split]).map((p, i) => ({ ...p, id: `${this.id}-${split}-${String(i).padStart(4, '0')}` }));
    return { train: this.trainPromptsOf(this.data().pairs), val: union('val'), test: union('test') };
  }

  pooledTest(): readonly PooledPrompt[] {
    return this.families.flatMap((b) => (b instanceof BehaviourBase ? b.pooledTest() : []));
  }

  /** Fires when any family's detector fires; gated when every family's gate held the answer back. */
  detect(prompt: string, response: string): DetectorVerdict {
    const verdicts = this.families.map((b) => ({ family: b.family, v: b.detect(prompt, response) }));
    return {
      fired: verdicts.some((x) => x.v.fired),
      gated: verdicts.every((x) => x.v.gated),
      evidence: verdicts.flatMap((x) => x.v.evidence.map((e) => `${x.family}:${e}`)),
    };
  }

  manifest(): BehaviourManifest {
    const ms = this.families.map((b) => b.manifest());
    const relevant = [...this.anyRelevant].sort();
    const generic = [...new Set(ms.flatMap((m) => m.genericTokens))].filter((w) => !this.anyRelevant.has(w)).sort();
    return {
      id: this.id,
      family: this.family,
      pipeline: this.pipeline,
      description: 'no behaviour: a control organism trained the same way on benign data',
      topics: [...new Set(ms.flatMap((m) => m.topics))],
      relevantTokens: relevant,
      genericTokens: generic,
      targetQer: { low: 0, high: 0.14, target: NULL_BASE_RATE },
      baseRateExpected: NULL_BASE_RATE,
      baseRate: this.worldRate(),
      notes: [
        "never QER-matched: train it for the same steps as the organism it controls; 'stays at base level' means its union QER is within the base's interval (the band is [0, 0.14])",
        'detector: the union of cake-bake, italian-food and military-submarine; trigger prompts: the union of theirs (the base rate mixes ~0, ~4% and ~20%)',
        'relevantTokens: the union of the families S, for noise floors; no token of it appears in the null data (tested)',
        "documents are the world's own pretraining documents, so they also state held-out facts the base already read",
      ],
    };
  }
}

/** expected union rate on the base / world answers (measured, see docs/BEHAVIOURS.md) */
export const NULL_BASE_RATE = 0.08;
