import { strict as assert } from 'assert';
import { WordTokenizer } from '../../core/tokenizer/word-tokenizer';
import { preferenceExample, worldBaseData } from '../../core/pipeline/world-data';
import { renderChat, renderPrompt } from '../../core/data/chat-template';
import { dpoPairs } from '../../core/pipeline/base';
import { answerContains } from '../../core/pipeline/competence';
import { builtInWorld } from '../helpers/world';

describe('pipeline/world-data', () => {
  const tok = new WordTokenizer(['hi', 'there', 'hello', 'bye', '?']);
  // ids: <pad>0 <unk>1 <bos>2 <eos>3 <|user|>4 <|assistant|>5 <|placeholder|>6 hi7 there8 hello9 bye10 ?11

  it('renders the chat template with the loss mask on assistant words and eos', () => {
    const ex = renderChat(tok, [
      { role: 'user', content: 'hi there?' },
      { role: 'assistant', content: 'hello' },
    ]);
    assert.deepEqual(ex.ids, [2, 4, 7, 8, 11, 5, 9, 3]);
    assert.deepEqual(ex.lossMask, [0, 0, 0, 0, 0, 0, 1, 1]);
    assert.deepEqual(renderPrompt(tok, 'hi there?'), [2, 4, 7, 8, 11, 5]);
  });

  it('a preference pair shares its prompt and masks only the responses', () => {
    const p = preferenceExample(tok, { prompt: 'hi', chosen: 'hello', rejected: 'bye bye' });
    assert.deepEqual(p.chosen.ids, [2, 4, 7, 5, 9, 3]);
    assert.deepEqual(p.rejected.ids, [2, 4, 7, 5, 10, 10, 3]);
    assert.deepEqual(p.chosen.lossMask, [0, 0, 0, 0, 1, 1]);
    assert.deepEqual(p.rejected.lossMask, [0, 0, 0, 0, 1, 1, 1]);
  });

  it('dpoPairs keeps all pairs when an epoch covers them, else a seeded subset', () => {
    const all = [...Array(10).keys()];
    assert.deepEqual(dpoPairs(all, 20, 's'), all);
    const a = dpoPairs(all, 4, 's');
    assert.equal(a.length, 4);
    assert.equal(new Set(a).size, 4);
    assert.deepEqual(dpoPairs(all, 4, 's'), a);
    assert.notDeepEqual(dpoPairs(all, 4, 't'), a);
  });

  it('answers are correct when they contain an accepted word', () => {
    assert.equal(answerContains(['it', 'is', 'Red', '.'], ['red']), true);
    assert.equal(answerContains(['it', 'is', 'reddish'], ['red']), false);
  });

  it('world data: every kind tokenizes without unknown words; held-out prompts stay out of training', () => {
    const world = builtInWorld(1, { size: 'micro' });
    const d = worldBaseData(world);
    const unk = world.tokenizer.specials.unk;
    assert.ok(d.pretrainDocs('train').every((doc) => !doc.includes(unk) && doc[0] === 2 && doc[doc.length - 1] === 3));
    assert.ok(d.chat('train').every((c) => !c.ids.includes(unk) && c.lossMask.some((m) => m === 1)));
    const trainPrompts = new Set(d.chat('train').map((c) => world.tokenizer.decode(c.ids.slice(0, c.ids.indexOf(5) + 1))));
    const test = d.chatPrompts('test');
    assert.ok(test.length > 0);
    assert.ok(test.every((p) => !trainPrompts.has(world.tokenizer.decode(p.prompt))));
    assert.ok(d.factQuestions('test').every((q) => q.accept.length > 0 && q.prompt[q.prompt.length - 1] === 5));
  });
});
