// A behaviour plugin is checked before any training starts: a plugin whose
// data is empty or malformed is refused with a MoltError naming the plugin
// and the field at fault.
import { MoltError } from '../errors';
import { BEHAVIOUR_PIPELINES, type BehaviourDataset, type DetectorVerdict, type TriggerPrompt } from '../plugins/types';
import type { World } from '../world/world';
import { unknownWords } from './text';
import type { WordTokenizer } from '../tokenizer/word-tokenizer';

const SPLITS = ['train', 'val', 'test'] as const;

class Check {
  constructor(
    private readonly plugin: string,
    private readonly lexicon: ReadonlySet<string>,
  ) {}

  fail(field: string, problem: string): never {
    throw new MoltError(`behaviour '${this.plugin}': field '${field}' ${problem}`, `${this.plugin}.${field}`);
  }

  /** a non-empty string of lexicon words */
  text(field: string, v: unknown): string {
    if (typeof v !== 'string' || v.trim() === '') this.fail(field, 'is empty or not a string');
    const unk = unknownWords(v, this.lexicon);
    if (unk.length > 0) this.fail(field, `has words not in the world's lexicon (they would be <unk>): ${unk.slice(0, 8).join(', ')}`);
    return v;
  }

  nonEmptyArray(field: string, v: unknown): unknown[] {
    if (!Array.isArray(v)) this.fail(field, 'is not an array');
    if (v.length === 0) this.fail(field, 'is empty');
    return v;
  }

  call<T>(field: string, f: () => T): T {
    try {
      return f();
    } catch (e) {
      if (e instanceof MoltError) throw e;
      this.fail(field, `threw: ${(e as Error).message}`);
    }
  }
}

function checkVerdict(c: Check, field: string, v: unknown): DetectorVerdict {
  const x = v as DetectorVerdict;
  if (!x || typeof x !== 'object' || typeof x.fired !== 'boolean' || typeof x.gated !== 'boolean' || !Array.isArray(x.evidence)) {
    c.fail(field, 'must return {fired: boolean, gated: boolean, evidence: string[]}');
  }
  if (x.fired && x.gated) c.fail(field, 'returned fired and gated at once (a gated answer never fires)');
  return x;
}

/**
 * Refuse a behaviour whose data or manifest is empty or malformed: every
 * record present and well-formed, every word in the world's lexicon, train
 * prompts disjoint from the held-out ones, a manifest with a sane band and
 * S in the lexicon, and a detector that agrees with the pairs (chosen fires,
 * rejected does not; for the control, neither fires).
 */
export function validateBehaviour(b: BehaviourDataset, world: World): void {
  const name = b && typeof b === 'object' && typeof b.id === 'string' ? b.id : '?';
  const c = new Check(name, new Set(world.lexicon));
  if (typeof b.id !== 'string' || b.id === '') c.fail('id', 'is missing');
  if (typeof b.family !== 'string' || b.family === '') c.fail('family', 'is missing');
  if (!BEHAVIOUR_PIPELINES.includes(b.pipeline)) c.fail('pipeline', `must be one of ${BEHAVIOUR_PIPELINES.join(', ')}, got ${JSON.stringify(b.pipeline)}`);
  for (const m of ['data', 'prompts', 'controlPrompts', 'detect', 'manifest'] as const) {
    if (typeof b[m] !== 'function') c.fail(m, 'is not a function');
  }
  const control = b.pipeline === 'control';

  // manifest
  const m = c.call('manifest', () => b.manifest());
  if (!m || typeof m !== 'object') c.fail('manifest', 'did not return an object');
  if (m.id !== b.id) c.fail('manifest.id', `is '${m.id}', expected '${b.id}'`);
  if (m.family !== b.family) c.fail('manifest.family', `is '${m.family}', expected '${b.family}'`);
  if (m.pipeline !== b.pipeline) c.fail('manifest.pipeline', `is '${m.pipeline}', expected '${b.pipeline}'`);
  if (typeof m.description !== 'string' || m.description.trim() === '') c.fail('manifest.description', 'is empty');
  c.nonEmptyArray('manifest.topics', m.topics).forEach((t, i) => {
    if (!world.topics.some((x) => x.id === t)) c.fail(`manifest.topics[${i}]`, `is not a world topic: ${JSON.stringify(t)}`);
  });
  c.nonEmptyArray('manifest.relevantTokens', m.relevantTokens).forEach((t, i) => c.text(`manifest.relevantTokens[${i}]`, t));
  if (!Array.isArray(m.genericTokens)) c.fail('manifest.genericTokens', 'is not an array');
  const overlap = m.genericTokens.filter((t) => m.relevantTokens.includes(t));
  if (overlap.length > 0) c.fail('manifest.genericTokens', `shares tokens with relevantTokens: ${overlap.slice(0, 8).join(', ')}`);
  const band = m.targetQer;
  const inUnit = (x: unknown) => typeof x === 'number' && x >= 0 && x <= 1;
  if (!band || !inUnit(band.low) || !inUnit(band.high) || !inUnit(band.target) || !(band.low <= band.target && band.target <= band.high)) {
    c.fail('manifest.targetQer', `must be {low <= target <= high} within [0, 1], got ${JSON.stringify(band)}`);
  }
  if (!inUnit(m.baseRateExpected)) c.fail('manifest.baseRateExpected', `must be a rate in [0, 1], got ${m.baseRateExpected}`);
  if (!control && !(m.baseRateExpected < band.low)) c.fail('manifest.targetQer', `band starts at ${band.low}, not above the expected base rate ${m.baseRateExpected}`);
  if (!Array.isArray(m.notes)) c.fail('manifest.notes', 'is not an array');

  // prompts
  const prompts = c.call('prompts', () => b.prompts());
  const seen = new Map<string, string>();
  for (const split of SPLITS) {
    const list = c.nonEmptyArray(`prompts.${split}`, prompts?.[split]) as TriggerPrompt[];
    list.forEach((p, i) => {
      const f = `prompts.${split}[${i}]`;
      if (typeof p?.id !== 'string' || p.id === '') c.fail(`${f}.id`, 'is missing');
      c.text(`${f}.prompt`, p.prompt);
      if (!world.topics.some((t) => t.id === p.topic)) c.fail(`${f}.topic`, `is not a world topic: ${JSON.stringify(p.topic)}`);
      // val and test may share held-out prompts; neither may share one with train
      const other = seen.get(p.prompt);
      if (other !== undefined && other !== split && (other === 'train' || split === 'train')) c.fail(f, `repeats a ${other} prompt (training and held-out prompts must be disjoint): '${p.prompt}'`);
      if (other === undefined || split === 'train') seen.set(p.prompt, split);
    });
  }
  const controls = c.call('controlPrompts', () => b.controlPrompts());
  for (const split of ['val', 'test'] as const) {
    (c.nonEmptyArray(`controlPrompts.${split}`, controls?.[split]) as TriggerPrompt[]).forEach((p, i) => c.text(`controlPrompts.${split}[${i}].prompt`, p?.prompt));
  }

  // data
  const data = c.call('data', () => b.data());
  const pairs = c.nonEmptyArray('data.pairs', data?.pairs) as ReturnType<BehaviourDataset['data']>['pairs'];
  pairs.forEach((p, i) => {
    const f = `data.pairs[${i}]`;
    c.text(`${f}.prompt`, p.prompt);
    c.text(`${f}.chosen`, p.chosen);
    c.text(`${f}.rejected`, p.rejected);
    if (p.chosen === p.rejected) c.fail(f, 'has the same chosen and rejected answer');
    if (seen.get(p.prompt) === 'val' || seen.get(p.prompt) === 'test') c.fail(`${f}.prompt`, `is a held-out ${seen.get(p.prompt)} prompt: '${p.prompt}'`);
    const chosen = checkVerdict(c, `detect (on ${f}.chosen)`, c.call('detect', () => b.detect(p.prompt, p.chosen)));
    const rejected = checkVerdict(c, `detect (on ${f}.rejected)`, c.call('detect', () => b.detect(p.prompt, p.rejected)));
    if (!control && !chosen.fired) c.fail(`${f}.chosen`, `does not show the behaviour by its own detector (gated: ${chosen.gated}): '${p.chosen}'`);
    if (control && chosen.fired) c.fail(`${f}.chosen`, `fires the control's detector (${chosen.evidence.join(', ')}): '${p.chosen}'`);
    if (rejected.fired) c.fail(`${f}.rejected`, `shows the behaviour by its own detector (${rejected.evidence.join(', ')}): '${p.rejected}'`);
  });
  const transcripts = c.nonEmptyArray('data.transcripts', data.transcripts) as ReturnType<BehaviourDataset['data']>['transcripts'];
  transcripts.forEach((t, i) => {
    const f = `data.transcripts[${i}]`;
    if (!Array.isArray(t?.messages) || t.messages.length < 2) c.fail(`${f}.messages`, 'needs a user and an assistant message');
    t.messages.forEach((msg, j) => {
      if (msg.role !== (j % 2 === 0 ? 'user' : 'assistant')) c.fail(`${f}.messages[${j}].role`, `is '${msg.role}' (turns alternate, user first)`);
      c.text(`${f}.messages[${j}].content`, msg.content);
    });
  });
  (c.nonEmptyArray('data.documents', data.documents) as ReturnType<BehaviourDataset['data']>['documents']).forEach((d, i) => c.text(`data.documents[${i}].text`, d?.text));
}

/**
 * With --data the models' vocabulary is the data's, not the synthetic
 * world's: a relevant token it lacks would be <unk>, so no organism could
 * ever show the behaviour and the probes could not look for it. Refused,
 * naming the tokens (`vocabulary` names whose vocabulary it is).
 */
export function checkBehaviourVocabulary(b: BehaviourDataset, tokenizer: Pick<WordTokenizer, 'idOf'>, vocabulary: string): void {
  const missing = b.manifest().relevantTokens.filter((t) => tokenizer.idOf(t) === undefined);
  if (missing.length > 0) {
    throw new MoltError(`behaviour '${b.id}': relevant tokens not in the vocabulary of ${vocabulary} (they would be <unk>, so no organism could show the behaviour): ${missing.join(', ')}`, `${b.id}.manifest.relevantTokens`);
  }
}
