// Counterfactual fine-tunes of the diffing base, as oracle training subjects
// (the `variants` option, off by default: measured in docs/PROBES.md, not adopted).
// Read off the base alone, "what answer does it give ?" always has the
// world's answer, which follows from the prompt's subject; an oracle that is
// itself a copy of the base then answers from the subject and never reads
// what the model intends (it names the world's 350 degrees about a model
// fine-tuned to say 450). Each variant here is a copy of the base fine-tuned
// to state other values for a few of the world's facts, each value a word
// drawn from the whole vocabulary; the oracle is trained on the variant's
// activations of those facts' prompts (and on their difference from the
// base's) to name the value the variant states. Only reading the
// activations answers that. Facts of the behaviours' entities are never
// used, so no behaviour is rehearsed.
import { MoltError, Rng, train, nextTokenObjective, renderChat, renderPrompt, generate, Grader, DEFAULT_ADAMW, type Architecture, type CausalLM, type ChatMessage, type Fact, type Split, type WordTokenizer } from '../../../core/public';
import { ORACLE_QUESTIONS, substituteValue, vocabularyWords, wordSpecificity, type OracleExample, type OracleWorld } from './data';
import { copyModel, segmentVectors } from './train';

export interface VariantSettings {
  /** counterfactual fine-tunes trained on (0: none) */
  variants: number;
  /** facts each one states with a new value */
  variantFacts: number;
  /** its fine-tuning steps (batch 16, lr 1e-3) */
  variantSteps: number;
  /** fine-tunes on held-out facts for the held-out accuracy */
  heldOutVariants: number;
}

/** What a variant world needs beyond OracleWorld: which split a fact is asked in, and the behaviours' entities. */
export interface VariantWorld extends OracleWorld {
  factSplit(factId: string): Split;
  readonly behaviours: Readonly<Record<string, { entityIds: readonly string[] }>>;
}

export function isVariantWorld(w: OracleWorld): w is VariantWorld {
  const x = w as Partial<VariantWorld>;
  return typeof x.factSplit === 'function' && typeof x.behaviours === 'object' && x.behaviours !== null;
}

export interface PlannedFact {
  fact: Pick<Fact, 'id' | 'object' | 'accept' | 'questions' | 'answer' | 'topic'>;
  /** the vocabulary word in place of the value's key word */
  word: string;
  /** the chats the variant is fine-tuned on: each question, answered with the new value */
  chats: ChatMessage[][];
  value: string;
}

/**
 * Which facts each variant changes, and to what: `count` variants of
 * `perVariant` distinct facts of the split (the behaviours' entities left
 * out), each value's key word swapped for a vocabulary content word.
 */
export function planVariants(world: VariantWorld, tok: WordTokenizer, split: Split, count: number, perVariant: number, seed: string): PlannedFact[][] {
  // the default (no variants) reads nothing and cannot fail on a world with few facts
  if (count === 0) return [];
  const excluded = new Set(Object.values(world.behaviours).flatMap((b) => b.entityIds));
  const pool = (world.facts as readonly Partial<Fact>[]).filter((f): f is Fact => typeof f.answer === 'string' && Array.isArray(f.questions) && f.questions.length > 0 && !excluded.has(f.entityId!) && world.factSplit(f.id!) === split && f.answer.includes(f.object!));
  if (pool.length < perVariant) throw new MoltError(`activation oracle: ${pool.length} facts in split '${split}' for variants of ${perVariant} facts each`, 'variantFacts');
  const texts = world.data('chat', split).map((c) => c.messages[c.messages.length - 1]?.content ?? '');
  const spec = wordSpecificity(texts);
  const words = vocabularyWords(tok, spec);
  const rng = new Rng(`${seed}/variants/${split}`);
  const plans: PlannedFact[][] = [];
  for (let v = 0; v < count; v++) {
    const facts = rng.shuffle(pool).slice(0, perVariant);
    const plan: PlannedFact[] = [];
    for (const fact of facts) {
      const word = rng.pick(words);
      const chats: ChatMessage[][] = [];
      let value = '';
      for (const q of fact.questions) {
        const swapped = substituteValue({ id: fact.id, topic: fact.topic, messages: [{ role: 'user', content: q }, { role: 'assistant', content: fact.answer }] }, fact, word);
        if (!swapped) continue;
        value = swapped.value;
        chats.push(swapped.chat.messages);
      }
      if (chats.length > 0) plan.push({ fact, word, chats, value });
    }
    plans.push(plan);
  }
  return plans;
}

export interface VariantData {
  examples: OracleExample[];
  vectors: Float32Array[];
  /** per variant: facts changed, and how many of their prompts it answers with the new value (greedy) */
  stated: { facts: number; prompts: number; stating: number }[];
}

/**
 * Fine-tune each planned variant, keep the prompts it answers with its new
 * value (greedy), and make one example per prompt and source: the variant's
 * activations ('mo') and their difference from the base's ('diff'), each
 * asked what answer it gives. Each variant is disposed once read.
 */
export async function variantExamples(args: { arch: Architecture; base: CausalLM; tok: WordTokenizer; plans: PlannedFact[][]; steps: number; readHook: string; slots: number; maxLength: number; seed: string }): Promise<VariantData> {
  const { tok, base } = args;
  const pad = tok.specials.pad;
  const examples: OracleExample[] = [];
  const vectors: Float32Array[] = [];
  const stated: VariantData['stated'] = [];
  for (const [v, plan] of args.plans.entries()) {
    const model = copyModel(args.arch, base);
    try {
      const rows = plan.flatMap((p) => p.chats.map((m) => renderChat(tok, m, { maxLen: args.maxLength })));
      await train(model, nextTokenObjective(rows, { padId: pad, maxLength: args.maxLength }), {
        steps: args.steps,
        batchSize: 16,
        schedule: { kind: 'constant', peakLr: 1e-3, warmupSteps: 2 },
        optimizer: { ...DEFAULT_ADAMW, weightDecay: 0 },
        seed: `${args.seed}/variant/${v}`,
        logEvery: args.steps,
        checkpointEvery: 0,
      });
      const prompts = plan.flatMap((p) => p.chats.map((m) => ({ p, ids: renderPrompt(tok, m.slice(0, -1)) })));
      const answers = generate(model, prompts.map((x) => x.ids), { maxNewTokens: 16, greedy: true, temperature: 0, seed: 0, eosId: tok.specials.eos, padId: pad });
      const kept = prompts.filter((x, i) => new Grader([x.p.word]).answer(tok.decode(answers[i], { skipSpecial: true })).hit);
      stated.push({ facts: plan.length, prompts: prompts.length, stating: kept.length });
      if (kept.length === 0) continue;
      const contexts = kept.map((x) => x.ids);
      const mo = segmentVectors(model, contexts, args.readHook, args.slots);
      const ref = segmentVectors(base, contexts, args.readHook, args.slots);
      kept.forEach((x, i) => {
        const qa = [{ kind: 'value' as const, question: ORACLE_QUESTIONS.value.question, answer: ORACLE_QUESTIONS.value.answer(x.p.value), keys: [x.p.word] }];
        examples.push({ context: x.ids, input: 'finetune', topic: x.p.fact.topic, qa }, { context: x.ids, input: 'finetune-diff', topic: x.p.fact.topic, qa });
        vectors.push(mo[i], mo[i].map((a, j) => a - ref[i][j]));
      });
    } finally {
      model.dispose();
    }
  }
  return { examples, vectors, stated };
}
