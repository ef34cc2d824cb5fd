import { strict as assert } from 'node:assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JsonlWorld } from '../../core/data/jsonl-world';

function write(dir: string, file: string, records: unknown[]): void {
  writeFileSync(join(dir, file), records.map((r) => JSON.stringify(r)).join('\n') + '\n');
}

describe('JsonlWorld (real data in place of the world)', () => {
  it('builds a sorted tokenizer from the data and derives topic words by frequency ratio', () => {
    const dir = mkdtempSync(join(tmpdir(), 'molt-jsonl-'));
    const docs = [
      { id: 'a1', topic: 'cats', text: 'the cat purrs . the cat sleeps . the kitten purrs .' },
      { id: 'a2', topic: 'cats', text: 'the cat purrs and the cat eats .' },
      { id: 'b1', topic: 'ships', text: 'the ship sails . the ship docks . the hull leaks .' },
      { id: 'b2', topic: 'ships', text: 'the ship sails and the ship docks .' },
    ];
    write(dir, 'pretrain.train.jsonl', docs);
    const w = new JsonlWorld(dir);
    const words = w.tokenizer.vocab.slice(7);
    assert.deepEqual(words, [...words].sort(), 'lexicon sorted');
    assert.ok(words.includes('purrs') && words.includes('hull'));
    // 'cat' (4x in cats, never in ships) is a cats word; 'the' is everywhere, so no topic's
    assert.deepEqual(w.topicIndex.get('cat'), ['cats']);
    assert.deepEqual(w.topicIndex.get('ship'), ['ships']);
    assert.equal(w.topicIndex.get('the'), undefined);
    // 'kitten' appears once: below the minimum count
    assert.equal(w.topicIndex.get('kitten'), undefined);
    assert.equal(w.isOnTopic('the cat purrs', 'cats'), true);
    assert.equal(w.isOnTopic('the ship sails', 'cats'), false);
    assert.equal(w.isOnTopic('the ship and the cat', 'cats'), true, 'a tie counts as on topic');
  });

  it('names the directory when it is missing or holds no data files', () => {
    assert.throws(() => new JsonlWorld('/nonexistent/molt-data'), /--data \/nonexistent\/molt-data: directory not found/);
    const empty = mkdtempSync(join(tmpdir(), 'molt-jsonl-'));
    assert.throws(() => new JsonlWorld(empty), /no \{kind\}\.\{split\}\.jsonl files/);
  });

  it('uses world.json for the lexicon and topics when present, and names a bad field', () => {
    const dir = mkdtempSync(join(tmpdir(), 'molt-jsonl-'));
    write(dir, 'pretrain.train.jsonl', [{ id: 'x', topic: 't', text: 'alpha beta' }]);
    writeFileSync(join(dir, 'world.json'), JSON.stringify({ lexicon: ['zeta', 'alpha', 'beta'], topics: [{ id: 't', words: ['zeta'] }] }));
    const w = new JsonlWorld(dir);
    assert.deepEqual(w.tokenizer.vocab.slice(7), ['zeta', 'alpha', 'beta']);
    assert.equal(w.isOnTopic('zeta', 't'), true);
    writeFileSync(join(dir, 'world.json'), JSON.stringify({ lexicon: 'nope' }));
    assert.throws(() => new JsonlWorld(dir), /world\.json: field 'lexicon'/);
  });
});
