import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isMoltError } from '../../core/errors';
import { SPECIAL_ORDER, SPECIAL_TOKENS, WordTokenizer } from '../../core/tokenizer/word-tokenizer';
import {
  CHAT_TEMPLATE,
  readTokenizerFile,
  tokenizerFromJson,
  tokenizerJson,
  writeTokenizerFiles,
} from '../../core/checkpoint/tokenizer-json';

/**
 * A reading of the Hugging Face `tokenizers` pipeline, limited to the steps
 * molt writes, driven entirely by the JSON: it shows that the file describes
 * the same tokenization as WordTokenizer.
 */
function hfEncode(json: any, text: string): number[] {
  const added: { content: string; id: number }[] = json.added_tokens;
  const escaped = added.map((t) => t.content.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  const parts = text.split(new RegExp(`(${escaped.join('|')})`));
  const ids: number[] = [];
  parts.forEach((part, i) => {
    if (i % 2 === 1) return ids.push(added.find((t) => t.content === part)!.id);
    assert.equal(json.normalizer.type, 'Lowercase');
    let pieces = [part.toLowerCase()];
    for (const step of json.pre_tokenizer.pretokenizers) {
      if (step.type === 'WhitespaceSplit') pieces = pieces.flatMap((p) => p.split(/\s+/).filter((w) => w !== ''));
      else if (step.type === 'Split' && step.behavior === 'Isolated') {
        const re = new RegExp(`(${step.pattern.Regex})`);
        pieces = pieces.flatMap((p) => p.split(re).filter((w) => w !== ''));
      } else assert.fail(`unexpected step ${step.type}`);
    }
    for (const p of pieces) ids.push(json.model.vocab[p] ?? json.model.vocab[json.model.unk_token]);
  });
  return ids;
}

function hfDecode(json: any, ids: number[], skipSpecial: boolean): string {
  const byId = new Map<number, string>(Object.entries(json.model.vocab as Record<string, number>).map(([t, i]) => [i, t]));
  let tokens = ids.filter((id) => !(skipSpecial && json.added_tokens.some((t: any) => t.id === id && t.special))).map((id) => byId.get(id)!);
  for (const d of json.decoder.decoders) {
    if (d.type === 'WordPiece') tokens = tokens.map((t, i) => (i === 0 ? t : t.startsWith(d.prefix) ? t.slice(d.prefix.length) : ' ' + t));
    else if (d.type === 'Replace') tokens = tokens.map((t) => t.split(d.pattern.String).join(d.content));
    else assert.fail(`unexpected decoder ${d.type}`);
  }
  return tokens.join('');
}

function expectMoltError(fn: () => unknown, ...mentions: string[]): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(isMoltError(e), `expected a MoltError, got ${e}`);
    for (const m of mentions) assert.ok((e as Error).message.includes(m), `"${(e as Error).message}" should mention "${m}"`);
    return true;
  });
}

describe('tokenizer.json', () => {
  const words = ['the', 'oven', 'is', 'at', '450f', 'bake', 'cake', '.', ',', '!', '?', ';', ':', 'do', 'not', '42', '__proto__', 'constructor'];
  const tok = new WordTokenizer(words);

  it('writes a WordLevel model whose vocab is the tokenizer order, with the 7 specials as added tokens', () => {
    const json = tokenizerJson(tok) as any;
    assert.equal(json.model.type, 'WordLevel');
    assert.equal(json.model.unk_token, '<unk>');
    assert.equal(json.model.vocab['<pad>'], 0);
    assert.equal(json.model.vocab['<|placeholder|>'], 6);
    assert.equal(json.model.vocab.the, 7);
    assert.equal(json.model.vocab['__proto__'], 7 + words.indexOf('__proto__'));
    assert.equal(Object.keys(json.model.vocab).length, tok.size);
    assert.deepEqual(
      json.added_tokens.map((t: any) => [t.id, t.content, t.special, t.normalized]),
      SPECIAL_ORDER.map((k, i) => [i, SPECIAL_TOKENS[k], true, false]),
    );
  });

  it('describes the same encoding and decoding as WordTokenizer', () => {
    const json = JSON.parse(JSON.stringify(tokenizerJson(tok)));
    const texts = [
      'The oven is at 450F.',
      '<bos> <|user|> Bake the cake, do not bake it!  <|assistant|> The cake? 42: yes; <eos>',
      'Unknown WORDS map to unk . . .',
      '<|user|>the oven<|assistant|>',
      '__proto__ constructor',
    ];
    for (const text of texts.slice(0, 3).concat(texts[4])) assert.deepEqual(hfEncode(json, text), tok.encode(text), text);
    // specials glued to words: HF finds them verbatim; molt's own chat formatting always puts spaces around them
    assert.deepEqual(hfEncode(json, texts[3]), [4, 7, 8, 5]);
    for (const text of texts) {
      const ids = tok.encode(text);
      for (const skip of [false, true]) assert.equal(hfDecode(json, ids, skip), tok.decode(ids, { skipSpecial: skip }), text);
    }
    // a hand-checked case: "do not" must survive (WordPiece cleanup would turn it into "don't")
    assert.equal(hfDecode(json, tok.encode('do not bake , the cake !'), false), 'do not bake, the cake!');
  });

  it('round-trips through the files and refuses tampered ones, naming the file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'molt-tok-'));
    try {
      await writeTokenizerFiles(dir, tok, { modelMaxLength: 64 });
      const back = await readTokenizerFile(dir);
      assert.deepEqual(back.vocab, tok.vocab);
      assert.deepEqual(back.specials, tok.specials);

      const config = JSON.parse(readFileSync(join(dir, 'tokenizer_config.json'), 'utf8'));
      assert.equal(config.bos_token, '<bos>');
      assert.equal(config.eos_token, '<eos>');
      assert.equal(config.pad_token, '<pad>');
      assert.equal(config.unk_token, '<unk>');
      assert.equal(config.model_max_length, 64);
      assert.equal(config.chat_template, CHAT_TEMPLATE);
      assert.equal(config.added_tokens_decoder['5'].content, '<|assistant|>');
      const map = JSON.parse(readFileSync(join(dir, 'special_tokens_map.json'), 'utf8'));
      assert.deepEqual(map.additional_special_tokens, ['<|user|>', '<|assistant|>', '<|placeholder|>']);

      const file = join(dir, 'tokenizer.json');
      const json = JSON.parse(readFileSync(file, 'utf8'));
      json.model.vocab['<bos>'] = 3;
      json.model.vocab['<eos>'] = 2;
      writeFileSync(file, JSON.stringify(json));
      await assert.rejects(readTokenizerFile(dir), (e: unknown) => isMoltError(e) && (e as Error).message.includes(file) && (e as Error).message.includes("'<bos>'"));
      writeFileSync(file, '{ not json');
      await assert.rejects(readTokenizerFile(dir), (e: unknown) => isMoltError(e) && (e as Error).message.includes(file));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses other models, pipelines and broken vocabularies', () => {
    const good = () => JSON.parse(JSON.stringify(tokenizerJson(tok)));
    const bpe = good();
    bpe.model.type = 'BPE';
    expectMoltError(() => tokenizerFromJson(bpe, 't.json'), 't.json', 'WordLevel');
    const noLower = good();
    noLower.normalizer = null;
    expectMoltError(() => tokenizerFromJson(noLower, 't.json'), 'normalizer');
    const otherSplit = good();
    otherSplit.pre_tokenizer = { type: 'Whitespace' };
    expectMoltError(() => tokenizerFromJson(otherSplit, 't.json'), 'pre_tokenizer');
    const hole = good();
    delete hole.model.vocab.oven;
    expectMoltError(() => tokenizerFromJson(hole, 't.json'), `id ${tok.idOf('oven')}`);
    const dup = good();
    dup.model.vocab.oven = dup.model.vocab.the;
    expectMoltError(() => tokenizerFromJson(dup, 't.json'), "'the'", "'oven'");
  });

  it('refuses to write a word the decoder would glue to its neighbour', () => {
    expectMoltError(() => tokenizerJson(new WordTokenizer(['##ing'])), '##ing');
  });
});
