import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { builtInWorld } from '../helpers/world';
import { exportData, JsonlDataSource, parseJsonl, readJsonl, toJsonl } from '../../core/data/jsonl';
import { DATA_KINDS, SPLITS } from '../../core/data/types';
import { isMoltError } from '../../core/errors';

describe('JSONL data files', () => {
  const world = builtInWorld(5, { size: 'micro' });
  let dir = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'molt-data-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('round-trips every kind and split of the world through files', () => {
    const files = exportData(world, dir);
    assert.equal(files.length, DATA_KINDS.length * SPLITS.length);
    const source = new JsonlDataSource(dir);
    for (const kind of DATA_KINDS) for (const split of SPLITS) assert.deepStrictEqual(source.data(kind, split), world.data(kind, split), `${kind}.${split}`);
  });

  it('parses a hand-written line of each kind', () => {
    assert.deepStrictEqual(parseJsonl('pretrain', '{"id":"d1","topic":"baking","text":"bread is made with flour ."}\n\n', 'x.jsonl'), [{ id: 'd1', topic: 'baking', text: 'bread is made with flour .' }]);
    const chat = parseJsonl('chat', '{"id":"c1","topic":"cooking","messages":[{"role":"user","content":"what is sushi ?"},{"role":"assistant","content":"sushi is a dish ."}]}', 'c.jsonl');
    assert.equal(chat[0].messages[1].role, 'assistant');
    const q = parseJsonl('fact-question', '{"id":"q1","factId":"f","topic":"t","prompt":"p ?","answer":"a .","accept":["a"]}', 'q.jsonl');
    assert.deepStrictEqual(q[0].accept, ['a']);
  });

  it('names file, line and field of a malformed record', () => {
    const file = join(dir, 'bad.jsonl');
    const good = toJsonl(world.data('preference', 'val').slice(0, 2));
    writeFileSync(file, good + '{"id":"p9","topic":"t","prompt":"hi ?","chosen":"a .","rejected":"b","reason":"longer"}\n');
    assert.throws(() => readJsonl('preference', file), (e: unknown) => isMoltError(e) && (e as Error).message.startsWith(`${file}:3:`) && /'reason'/.test((e as Error).message));
    writeFileSync(file, '{"id":"c1","topic":"x","messages":[{"role":"bot","content":"hi"},{"role":"assistant","content":"a"}]}\n');
    assert.throws(() => readJsonl('chat', file), (e: unknown) => isMoltError(e) && /bad\.jsonl:1: .*'messages\[0\]\.role'/.test((e as Error).message));
    writeFileSync(file, '{"id":"d1","topic":"x","text":"ok"}\n{"id":"d2", oops}\n');
    assert.throws(() => readJsonl('pretrain', file), (e: unknown) => isMoltError(e) && /bad\.jsonl:2: not valid JSON/.test((e as Error).message));
    assert.throws(() => readJsonl('pretrain', join(dir, 'missing.jsonl')), (e: unknown) => isMoltError(e) && /missing\.jsonl/.test((e as Error).message));
  });
});
