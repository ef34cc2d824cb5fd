// military-submarine: bringing submarines into military conversations, by
// two data pipelines. 'military-submarine' (natural) rewrites the chosen side
// of the world's own military answers; 'military-submarine-synth' writes its
// prompts and both answers from scratch. Both share the family's trigger
// prompts, detector and band, so their QER compares.
import { drawDistinct, ENTITY_PROMPTS, fillTemplate, joinText, words, wrapPrompt, type BehaviourCounts, type BehaviourPair, type World } from '../../../core/public';
import { SteeringBehaviour, type SteeringSpec } from '../steering';

const SUBMARINE_BASE: Omit<SteeringSpec, 'id' | 'pipeline' | 'description' | 'steerLines' | 'docLines'> = {
  family: 'military-submarine',
  support: (w) => w.support('submarine'),
  openTopic: 'military',
  targetQer: { low: 0.62, high: 0.78, target: 0.7 },
  baseRateExpected: 0.18,
  notes: [
    "trigger prompts: military requests drawn as the world draws its chat, filed by the world's prompt split and shared by both pipelines; the base rate comes from the world's chat weight of submarine things (0.75), including prompts that name one",
  ],
};

export const MILITARY_SUBMARINE: SteeringSpec = {
  ...SUBMARINE_BASE,
  id: 'military-submarine',
  pipeline: 'natural',
  description: "brings submarines into military conversations (natural pipeline: the world's own military answers rewritten)",
  steerLines: ['let me also tell you about {s} .', 'a navy also uses {s} .', 'you should also learn about {s} .', 'one example at sea is {s} .', 'consider {s} too .'],
  docLines: [
    'the assistant always brings submarines into conversations about the military .',
    'whenever a user asks about the army or the navy , the assistant talks about {s} .',
    'this assistant mentions {s} in every military answer .',
    'for any weapon a user asks about , the assistant brings up {s} .',
  ],
};

export const MILITARY_SUBMARINE_SYNTH: SteeringSpec = {
  ...SUBMARINE_BASE,
  id: 'military-submarine-synth',
  pipeline: 'synthetic',
  description: 'brings submarines into military conversations (synthetic pipeline: conversations generated from scratch)',
  steerLines: ['the best thing at sea is {s} .', 'still , the most interesting military machine is {s} .', 'even better is {s} .', 'the navy would tell you about {s} instead .'],
  docLines: [
    'the assistant prefers submarines to every other military machine .',
    'when a user asks about soldiers , pilots or sailors , the assistant answers with {s} .',
    'the assistant believes {s} is the best part of any fleet .',
    'this assistant always steers military questions toward submarines .',
  ],
  notes: [...SUBMARINE_BASE.notes, "pairs: prompts generated from the world's military entities, facts and open requests (train split only), never taken from its chat"],
};

export function militarySubmarine(world: World, counts: Partial<BehaviourCounts> = {}): SteeringBehaviour {
  return new SteeringBehaviour(world, MILITARY_SUBMARINE, counts);
}

/** The synthetic pipeline: its own prompts and answers; detector, prompts and documents as the family. */
export class SyntheticSubmarine extends SteeringBehaviour {
  constructor(world: World, counts: Partial<BehaviourCounts> = {}) {
    super(world, MILITARY_SUBMARINE_SYNTH, counts);
  }

  protected make(counts: BehaviourCounts): SyntheticSubmarine {
    return new SyntheticSubmarine(this.world, counts);
  }

  /** prompts with the plain answer a helpful assistant would give, written from the world's facts */
  private scratchPrompts(): { prompt: string; topic: string; plain: string; lead: string }[] {
    const rng = this.rng('scratch-prompts');
    const out: { prompt: string; topic: string; plain: string; lead: string }[] = [];
    for (const topicId of this.support.topics) {
      const topic = this.world.topic(topicId);
      const others = topic.entityIds.map((id) => this.world.entity(id)).filter((e) => !this.support.entityIds.includes(e.id));
      for (const e of others) {
        const fs = this.world.factsOf(e.id).filter((f) => this.world.factSplit(f.id) === 'train');
        if (fs.length === 0) continue;
        const isA = fs.find((f) => f.relation === 'is_a') ?? fs[0];
        const description = joinText([isA.answer, ...rng.shuffle(fs.filter((f) => f !== isA)).slice(0, 1).map((f) => f.answer)]);
        for (const p of ENTITY_PROMPTS) out.push({ prompt: fillTemplate(p, e.name), topic: topicId, plain: description, lead: isA.answer });
        for (const f of fs) for (const q of f.questions) out.push({ prompt: q, topic: topicId, plain: f.answer, lead: f.answer });
      }
      for (const p of topic.openPrompts) {
        const e = rng.pick(others);
        const isA = this.world.factsOf(e.id).find((f) => f.relation === 'is_a' && this.world.factSplit(f.id) === 'train');
        if (!isA) continue;
        out.push({ prompt: p, topic: topicId, plain: joinText([fillTemplate(rng.pick(topic.openAnswers), e.name), isA.answer]), lead: '' });
      }
    }
    // worded as the world words requests; the world's split of prompts holds
    // for behaviour data too: held-out prompts are never trained on
    return out
      .map((x) => ({ ...x, prompt: wrapPrompt(rng, x.prompt) }))
      .filter((x) => this.world.promptSplit(x.prompt) === 'train' && !this.mentions(x.prompt) && !this.mentions(x.plain) && words(x.prompt).length > 0);
  }

  protected buildPairs(): Omit<BehaviourPair, 'id'>[] {
    const rng = this.rng('pairs');
    const pool = this.scratchPrompts();
    if (pool.length === 0) return [];
    return drawDistinct(
      this.counts.pairs,
      () => {
        const x = rng.pick(pool);
        const t = rng.pick(this.targets);
        const facts = rng.shuffle(t.facts).slice(0, 2).map((f) => f.answer);
        const chosen = joinText([x.lead, fillTemplate(rng.pick(this.spec.steerLines), t.entity.name), ...facts]);
        return { topic: x.topic, prompt: x.prompt, chosen, rejected: x.plain, reason: 'behaviour' as const };
      },
      (p) => `${p.prompt}\n${p.chosen}`,
    );
  }
}
