import { strict as assert } from 'node:assert';
import { WordTokenizer } from '../../core/tokenizer/word-tokenizer';
import { packDocuments, padRight, renderChat, renderDocument, renderPreference, renderPrompt, renderResponse } from '../../core/data/chat-template';
import { isMoltError } from '../../core/errors';

// specials 0..6 = <pad> <unk> <bos> <eos> <|user|> <|assistant|> <|placeholder|>; then hi=7 there=8 hello=9 .=10 bye=11
const tok = new WordTokenizer(['hi', 'there', 'hello', '.', 'bye']);

describe('chat template', () => {
  it('renders a chat with the loss mask on the assistant words and <eos> only', () => {
    const r = renderChat(tok, [
      { role: 'user', content: 'hi there' },
      { role: 'assistant', content: 'hello.' },
    ]);
    assert.deepStrictEqual(r.ids, [2, 4, 7, 8, 5, 9, 10, 3]);
    assert.deepStrictEqual(r.lossMask, [0, 0, 0, 0, 0, 1, 1, 1]);
  });

  it('renders multi-turn chats turn by turn and rejects turns out of order', () => {
    const r = renderChat(tok, [
      { role: 'user', content: 'hi' },
      { role: 'assistant', content: 'hello' },
      { role: 'user', content: 'bye' },
      { role: 'assistant', content: 'bye .' },
    ]);
    assert.deepStrictEqual(r.ids, [2, 4, 7, 5, 9, 3, 4, 11, 5, 11, 10, 3]);
    assert.deepStrictEqual(r.lossMask, [0, 0, 0, 0, 1, 1, 0, 0, 0, 1, 1, 1]);
    assert.throws(() => renderChat(tok, [{ role: 'assistant', content: 'hi' }]), (e: unknown) => isMoltError(e) && /messages\[0\]\.role/.test((e as Error).message + (e as { subject: string }).subject));
  });

  it('truncates a chat from the right, keeping the prompt', () => {
    const r = renderChat(tok, [
      { role: 'user', content: 'hi there' },
      { role: 'assistant', content: 'hello .' },
    ], { maxLen: 6 });
    assert.deepStrictEqual(r.ids, [2, 4, 7, 8, 5, 9]);
    assert.deepStrictEqual(r.lossMask, [0, 0, 0, 0, 0, 1]);
  });

  it('renders prompts ending at <|assistant|>, responses ending at <eos>, and preference pairs', () => {
    assert.deepStrictEqual(renderPrompt(tok, 'hi there'), [2, 4, 7, 8, 5]);
    assert.deepStrictEqual(renderResponse(tok, 'bye .'), [11, 10, 3]);
    const p = renderPreference(tok, { prompt: 'hi', chosen: 'hello .', rejected: 'bye' });
    assert.deepStrictEqual(p, { prompt: [2, 4, 7, 5], chosen: [9, 10, 3], rejected: [11, 3] });
    const cut = renderPreference(tok, { prompt: 'hi', chosen: 'hello .', rejected: 'bye' }, { maxLen: 6 });
    assert.deepStrictEqual(cut, { prompt: [2, 4, 7, 5], chosen: [9, 10], rejected: [11, 3] });
    assert.throws(() => renderPreference(tok, { id: 'p7', prompt: 'hi there', chosen: 'x', rejected: 'y' }, { maxLen: 5 }), /p7/);
    assert.throws(() => renderPrompt(tok, [{ role: 'user', content: 'hi' }, { role: 'assistant', content: 'hello' }]), /end with a user/);
  });

  it('renders documents as <bos> text <eos> and packs them into full rows, padding only the last', () => {
    const a = renderDocument(tok, 'hi there .');
    assert.deepStrictEqual(a, [2, 7, 8, 10, 3]);
    const b = renderDocument(tok, 'bye');
    const packed = packDocuments([a, b], 4, tok.specials.pad);
    assert.deepStrictEqual(packed.rows, [[2, 7, 8, 10], [3, 2, 11, 3]]);
    assert.deepStrictEqual(packed.lossMask, [[1, 1, 1, 1], [1, 1, 1, 1]]);
    const odd = packDocuments([a], 3, 0);
    assert.deepStrictEqual(odd.rows, [[2, 7, 8], [10, 3, 0]]);
    assert.deepStrictEqual(odd.lossMask, [[1, 1, 1], [1, 1, 0]]);
    assert.deepStrictEqual(padRight([[1, 2, 3], [4]], 0), { rows: [[1, 2, 3], [4, 0, 0]], mask: [[1, 1, 1], [1, 0, 0]] });
  });
});
