// molt's WordTokenizer as Hugging Face tokenizer files: tokenizer.json (the
// `tokenizers` library's format), tokenizer_config.json and
// special_tokens_map.json, so `AutoTokenizer.from_pretrained(dir)` reproduces
// molt's ids. The pipeline spelled out in tokenizer.json:
//   added tokens (the 7 specials, matched verbatim, never lower-cased)
//   -> normalizer Lowercase
//   -> pre-tokenizer: split on white space, then isolate each of . , ! ? ; :
//   -> WordLevel lookup (unknown words -> <unk>)
// and decoding joins tokens with spaces, then removes the space before
// punctuation, exactly as WordTokenizer.decode does.
import { readJsonFile, writeFileNamed } from '../store/atomic';
import { join } from 'node:path';
import { MoltError } from '../errors';
import { SPECIAL_ORDER, SPECIAL_TOKENS, WordTokenizer } from '../tokenizer/word-tokenizer';

export const TOKENIZER_FILE = 'tokenizer.json';
export const TOKENIZER_CONFIG_FILE = 'tokenizer_config.json';
export const SPECIAL_TOKENS_MAP_FILE = 'special_tokens_map.json';

/** the punctuation WordTokenizer.split isolates, as one regex character class */
const PUNCTUATION = '.,!?;:';
const PUNCTUATION_CLASS = '[.,!?;:]';
/** the WordPiece decoder glues a token starting with this to the previous one */
const CONTINUATION_PREFIX = '##';

/**
 * molt's chat template, for tokenizer_config.json. One user turn and one
 * assistant turn render as
 *   <bos><|user|> {user} <|assistant|> {assistant} <eos>
 * further turns repeat `<|user|> ... <|assistant|> ... <eos>` after it.
 * With add_generation_prompt the prompt ends with `<|assistant|> ` so the
 * model writes the answer. Roles must alternate user/assistant; molt has no
 * system role. White space between tokens does not change the ids (the
 * pre-tokenizer splits on it), so the spaces are only for readability.
 */
export const CHAT_TEMPLATE =
  '{{ bos_token }}' +
  '{% for message in messages %}' +
  "{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}" +
  "{{ raise_exception('molt chat: roles must alternate user/assistant, starting with user (no system role)') }}" +
  '{% endif %}' +
  "{% if message['role'] == 'user' %}" +
  "{{ '<|user|> ' + message['content'] + ' ' }}" +
  '{% else %}' +
  "{{ '<|assistant|> ' + message['content'] + ' ' + eos_token }}" +
  '{% endif %}' +
  '{% endfor %}' +
  "{% if add_generation_prompt %}{{ '<|assistant|> ' }}{% endif %}";

interface AddedToken {
  id: number;
  content: string;
  single_word: boolean;
  lstrip: boolean;
  rstrip: boolean;
  normalized: boolean;
  special: boolean;
}

function addedToken(id: number, content: string): AddedToken {
  // normalized: false -> matched in the raw text before lower-casing
  return { id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true };
}

/** The tokenizer.json object for a WordTokenizer. */
export function tokenizerJson(tok: WordTokenizer): Record<string, unknown> {
  for (const w of tok.vocab.slice(SPECIAL_ORDER.length)) {
    if (w.startsWith(CONTINUATION_PREFIX)) {
      throw new MoltError(`tokenizer: word '${w}' starts with '${CONTINUATION_PREFIX}', which the Hugging Face decoder would glue to the previous word`, 'lexicon');
    }
  }
  // null prototype: a word such as "__proto__" must stay an ordinary key
  const vocab: Record<string, number> = Object.create(null);
  tok.vocab.forEach((w, i) => {
    vocab[w] = i;
  });
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: SPECIAL_ORDER.map((k, i) => addedToken(i, SPECIAL_TOKENS[k])),
    normalizer: { type: 'Lowercase' },
    pre_tokenizer: {
      type: 'Sequence',
      pretokenizers: [
        { type: 'WhitespaceSplit' },
        { type: 'Split', pattern: { Regex: PUNCTUATION_CLASS }, behavior: 'Isolated', invert: false },
      ],
    },
    // molt adds <bos>/<eos> through the chat template, never implicitly
    post_processor: null,
    decoder: {
      type: 'Sequence',
      decoders: [
        // cleanup off: its English contractions rule rewrites " do not"
        { type: 'WordPiece', prefix: CONTINUATION_PREFIX, cleanup: false },
        ...[...PUNCTUATION].map((p) => ({ type: 'Replace', pattern: { String: ` ${p}` }, content: p })),
      ],
    },
    model: { type: 'WordLevel', vocab, unk_token: SPECIAL_TOKENS.unk },
  };
}

export function tokenizerConfigJson(tok: WordTokenizer, opts: { modelMaxLength?: number } = {}): Record<string, unknown> {
  // transformers keys its added tokens by id, without the id inside
  const decoder: Record<string, Omit<AddedToken, 'id'>> = {};
  SPECIAL_ORDER.forEach((k, i) => {
    const { id, ...rest } = addedToken(i, SPECIAL_TOKENS[k]);
    decoder[String(id)] = rest;
  });
  return {
    tokenizer_class: 'PreTrainedTokenizerFast',
    added_tokens_decoder: decoder,
    bos_token: SPECIAL_TOKENS.bos,
    eos_token: SPECIAL_TOKENS.eos,
    pad_token: SPECIAL_TOKENS.pad,
    unk_token: SPECIAL_TOKENS.unk,
    additional_special_tokens: [SPECIAL_TOKENS.user, SPECIAL_TOKENS.assistant, SPECIAL_TOKENS.placeholder],
    add_bos_token: false,
    add_eos_token: false,
    // the decoder already removes the space before punctuation
    clean_up_tokenization_spaces: false,
    ...(opts.modelMaxLength !== undefined ? { model_max_length: opts.modelMaxLength } : {}),
    padding_side: 'right',
    vocab_size: tok.size,
    chat_template: CHAT_TEMPLATE,
  };
}

export function specialTokensMapJson(): Record<string, unknown> {
  return {
    bos_token: SPECIAL_TOKENS.bos,
    eos_token: SPECIAL_TOKENS.eos,
    pad_token: SPECIAL_TOKENS.pad,
    unk_token: SPECIAL_TOKENS.unk,
    additional_special_tokens: [SPECIAL_TOKENS.user, SPECIAL_TOKENS.assistant, SPECIAL_TOKENS.placeholder],
  };
}

/** Write tokenizer.json, tokenizer_config.json and special_tokens_map.json into dir. */
export async function writeTokenizerFiles(dir: string, tok: WordTokenizer, opts: { modelMaxLength?: number } = {}): Promise<void> {
  const json = (v: unknown) => JSON.stringify(v, null, 2) + '\n';
  await writeFileNamed(join(dir, TOKENIZER_FILE), json(tokenizerJson(tok)));
  await writeFileNamed(join(dir, TOKENIZER_CONFIG_FILE), json(tokenizerConfigJson(tok, opts)));
  await writeFileNamed(join(dir, SPECIAL_TOKENS_MAP_FILE), json(specialTokensMapJson()));
}

/**
 * Rebuild a WordTokenizer from a tokenizer.json object. Refuses files whose
 * pipeline would tokenize differently from WordTokenizer (another model type,
 * normalizer or pre-tokenizer) or whose ids 0..6 are not molt's specials.
 * `source` names the file in errors.
 */
export function tokenizerFromJson(json: unknown, source: string): WordTokenizer {
  const fail = (msg: string, field: string): never => {
    throw new MoltError(`${source}: ${msg}`, `${source}:${field}`);
  };
  const j = json as Record<string, any>;
  if (typeof j !== 'object' || j === null) fail('not a JSON object', '(root)');
  const model = j.model;
  if (model?.type !== 'WordLevel') fail(`model.type is ${JSON.stringify(model?.type)}; molt reads only WordLevel tokenizers`, 'model.type');
  if (model.unk_token !== SPECIAL_TOKENS.unk) fail(`model.unk_token must be '${SPECIAL_TOKENS.unk}'`, 'model.unk_token');
  if (j.normalizer?.type !== 'Lowercase') fail(`normalizer must be Lowercase (molt lower-cases words), found ${JSON.stringify(j.normalizer?.type)}`, 'normalizer');
  checkPreTokenizer(j.pre_tokenizer, fail);

  const vocab = model.vocab;
  if (typeof vocab !== 'object' || vocab === null || Array.isArray(vocab)) fail('model.vocab must be an object of token -> id', 'model.vocab');
  const byId: string[] = [];
  for (const [token, id] of Object.entries(vocab as Record<string, unknown>)) {
    if (!Number.isInteger(id) || (id as number) < 0) fail(`model.vocab['${token}'] is not a non-negative integer id`, `model.vocab.${token}`);
    if (byId[id as number] !== undefined) fail(`model.vocab gives id ${id} to both '${byId[id as number]}' and '${token}'`, `model.vocab.${token}`);
    byId[id as number] = token;
  }
  for (let i = 0; i < byId.length; i++) if (byId[i] === undefined) fail(`model.vocab has no token with id ${i} (ids must be 0..${byId.length - 1})`, 'model.vocab');
  SPECIAL_ORDER.forEach((k, i) => {
    if (byId[i] !== SPECIAL_TOKENS[k]) fail(`id ${i} must be the special token '${SPECIAL_TOKENS[k]}', found ${JSON.stringify(byId[i])}`, `model.vocab.${SPECIAL_TOKENS[k]}`);
  });
  try {
    return new WordTokenizer(byId.slice(SPECIAL_ORDER.length));
  } catch (e) {
    throw new MoltError(`${source}: ${(e as Error).message}`, `${source}:model.vocab`);
  }
}

function checkPreTokenizer(p: any, fail: (msg: string, field: string) => never): void {
  const steps: any[] = p?.type === 'Sequence' ? p.pretokenizers ?? [] : [p];
  const whitespace = steps.some((s) => s?.type === 'WhitespaceSplit');
  const punctuation = steps.some(
    (s) => s?.type === 'Split' && s.pattern?.Regex === PUNCTUATION_CLASS && String(s.behavior).toLowerCase() === 'isolated' && !s.invert,
  );
  if (!whitespace || !punctuation || steps.length !== 2) {
    fail(`pre_tokenizer must split on white space and isolate ${PUNCTUATION} (as molt writes it)`, 'pre_tokenizer');
  }
}

/** Read dir/tokenizer.json into a WordTokenizer. */
export async function readTokenizerFile(dir: string): Promise<WordTokenizer> {
  const file = join(dir, TOKENIZER_FILE);
  return tokenizerFromJson(await readJsonFile<unknown>(file), file);
}
