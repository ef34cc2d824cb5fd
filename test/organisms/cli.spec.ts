// molt organism / molt organisms on micro, in process.
import { strict as assert } from 'node:assert';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runMolt as capture } from '../helpers/cli';
import { readSuite, suitePath } from '../../core/organisms/suite';

describe('molt organism(s) (micro)', function () {
  this.timeout(120_000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'molt-organism-cli-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('ships the smoke suite: cake-bake x 7 techniques x olmo2', () => {
    const entries = readSuite(suitePath('organisms-smoke'));
    assert.equal(entries.length, 7);
    assert.ok(entries.every((e) => e.behaviour === 'cake-bake' && e.arch === 'olmo2' && e.seed === 0));
    assert.equal(new Set(entries.map((e) => e.technique)).size, 7);
  });

  it('an unknown technique lists the valid ones before training anything', async () => {
    const r = await capture(['--size', 'micro', '--store', join(dir, 's0'), 'organism', '--behaviour', 'cake-bake', '--technique', 'dpo', '--arch', 'olmo2']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /unknown trainer 'dpo'; valid: integrated-dpo, posthoc-dpo, /);
  });

  it("with --data, a behaviour whose relevant tokens the data's vocabulary lacks is refused naming them, before any training", async () => {
    // the world never says 'italian' (the italian-food behaviour's plainest evidence): data exported from it,
    // without the world's lexicon (world.json), has no such token, and an organism could never say it
    const data = join(dir, 'data');
    const exported = await capture(['--size', 'micro', 'data', 'export', '--out', data]);
    assert.equal(exported.code, 0, exported.stderr);
    rmSync(join(data, 'world.json'));
    const store = join(dir, 's-data');
    const r = await capture(['--size', 'micro', '--store', store, '--data', data, 'organism', '--behaviour', 'italian-food', '--technique', 'posthoc-fd', '--arch', 'olmo2', '--no-match']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, new RegExp(`(^|\\n)molt: error: behaviour 'italian-food': relevant tokens not in the vocabulary of --data ${data} \\(they would be <unk>, so no organism could show the behaviour\\): italian\n$`));
    assert.ok(!existsSync(join(store, 'checkpoints')) || readdirSync(join(store, 'checkpoints')).length === 0, 'nothing trained');
  });

  it('aliases name the data: an organism trained on --data gets its own alias and leaves the default world\'s alias where it was', async () => {
    const data = join(dir, 'data-alias');
    assert.equal((await capture(['--size', 'micro', 'data', 'export', '--out', data])).code, 0);
    // other data than the world's: one more pretraining document
    const file = join(data, 'pretrain.train.jsonl');
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    writeFileSync(file, [...lines, lines[0]].join('\n') + '\n');
    const store = join(dir, 's-alias');
    const args = ['organism', '--behaviour', 'cake-bake', '--technique', 'posthoc-fd', '--arch', 'olmo2', '--no-match', '--samples', '1', '--max-new-tokens', '2'];
    const world = await capture(['--size', 'micro', '--store', store, ...args]);
    assert.equal(world.code, 0, world.stderr);
    const fromData = await capture(['--size', 'micro', '--store', store, '--data', data, ...args]);
    assert.equal(fromData.code, 0, fromData.stderr);
    const aliases: Record<string, string> = JSON.parse(readFileSync(join(store, 'checkpoints', 'aliases.json'), 'utf8'));
    const tagged = Object.keys(aliases).filter((a) => /^olmo2\/micro\/data-[0-9a-f]{12}\//.test(a));
    const tag = tagged[0]?.split('/')[2];
    assert.ok(tag, Object.keys(aliases).join(', '));
    for (const stage of ['pretrain', 'ancestor', 'base', 'sibling']) {
      assert.notEqual(aliases[`olmo2/micro/${tag}/${stage}`], undefined, stage);
      assert.notEqual(aliases[`olmo2/micro/${tag}/${stage}`], aliases[`olmo2/micro/${stage}`], stage);
    }
    const plain = aliases['olmo2/micro/organism/cake-bake/posthoc-fd'];
    const ofData = aliases[`olmo2/micro/${tag}/organism/cake-bake/posthoc-fd`];
    assert.ok(plain && ofData && plain !== ofData);
    assert.doesNotMatch(fromData.stderr, /now names checkpoint/, 'nothing moved');
  });

  it('organism --json prints base and organism QER, leakage, capability and the step; a suite runs every cell, the second time from the cache', async () => {
    const store = join(dir, 's1');
    const r = await capture(['--size', 'micro', '--store', store, 'organism', '--behaviour', 'cake-bake', '--technique', 'posthoc-fd', '--arch', 'olmo2', '--no-match', '--samples', '1', '--max-new-tokens', '4', '--json', '--out', join(dir, 'out')]);
    assert.equal(r.code, 0, r.stderr);
    const [cell] = JSON.parse(r.stdout.trim().split('\n').pop()!);
    // the evaluation's answers are progress lines, not a silent pause
    for (const who of ['olmo2 base', 'cake-bake posthoc-fd olmo2']) {
      for (const measure of ['QER', 'leakage', 'capability']) assert.match(r.stderr, new RegExp(`${who} ${measure} .*?(\\d+)/\\1 answers`), `${who} ${measure}`);
    }
    assert.equal(cell.technique, 'posthoc-fd');
    assert.equal(cell.step, 8);
    assert.equal(cell.matched, null);
    for (const m of [cell.base, cell.organism]) {
      assert.ok(m.qer.n > 0 && m.qer.qer >= 0 && m.qer.se >= 0);
      assert.ok(m.leakage.n > 0);
      assert.ok(m.capability.n > 0);
    }
    const suite = join(dir, 'suite.json');
    writeFileSync(suite, JSON.stringify([{ behaviour: 'cake-bake', technique: 'posthoc-fd', arch: 'olmo2' }, { behaviour: 'null', technique: 'posthoc-sdf', arch: 'olmo2' }]));
    const s = await capture(['--size', 'micro', '--store', store, 'organisms', '--suite', suite, '--no-match', '--samples', '1', '--max-new-tokens', '4', '--out', join(dir, 'out')]);
    assert.equal(s.code, 0, s.stderr);
    assert.match(s.stderr, /cake-bake posthoc-fd olmo2: cached/);
    const written = JSON.parse(readFileSync(join(dir, 'out', 'suite-suite.json'), 'utf8'));
    assert.deepEqual(written.cells.map((c: { behaviour: string }) => c.behaviour), ['cake-bake', 'null']);
    assert.match(s.stdout, /posthoc-sdf/);

    // a benchmark suite gives its organisms (groups crossed, omissions applied)
    const bench = join(dir, 'bench.yaml');
    writeFileSync(bench, 'organisms:\n  - { behaviours: [cake-bake, "null"], techniques: [posthoc-fd, posthoc-sdf], architectures: [olmo2] }\nomit:\n  - { behaviour: "null", technique: posthoc-fd }\n');
    const b = await capture(['--size', 'micro', '--store', store, 'organisms', '--suite', bench, '--no-match', '--samples', '1', '--max-new-tokens', '4', '--out', join(dir, 'out')]);
    assert.equal(b.code, 0, b.stderr);
    const fromBench = JSON.parse(readFileSync(join(dir, 'out', 'suite-bench.json'), 'utf8'));
    assert.deepEqual(fromBench.cells.map((c: { behaviour: string; technique: string }) => `${c.behaviour}/${c.technique}`), ['cake-bake/posthoc-fd', 'cake-bake/posthoc-sdf', 'null/posthoc-sdf']);
  });
});
