// molt bench end to end at the micro size: the ci suite is byte-reproducible
// in process and on worker processes; a rerun reuses every finished cell; a
// run killed mid-way resumes without recomputing what it finished; plugins
// from outside the repo show up in the matrix, and a failing one fails only
// its own cells; bad suites are refused with the valid ids.
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { runMolt } from '../helpers/cli';
import { parseResultsCsv } from '../../core/bench/results-csv';
import { gitSha } from '../../core/cli/commands-bench';
import { MOLT_ROOT } from '../../core/version';

const ROOT = join(__dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'molt.js');
const OUTPUTS = ['results.csv', 'matrix.csv', 'organisms.csv', 'summary.csv', 'null-controls.csv', 'anova.csv', 'paired.csv', 'samples.jsonl', 'run.json', 'report.html'];

function recordStamps(out: string): Map<string, number> {
  const dir = join(out, 'cells');
  return new Map(readdirSync(dir).map((f) => [f, statSync(join(dir, f)).mtimeMs]));
}

describe('molt bench (micro)', function () {
  this.timeout(600_000);
  const dir = mkdtempSync(join(tmpdir(), 'molt-bench-'));
  const store = join(dir, 'store');

  it('the ci suite gives byte-identical results.csv in process and on 2 workers, and writes every output', async () => {
    const a = await runMolt(['--store', store, 'bench', '--suite', 'ci', '--workers', '0', '--out', join(dir, 'ci-a')], dir);
    assert.equal(a.code, 0, a.stderr);
    // a second store: the workers rebuild every artifact rather than reading the first run's
    const b = await runMolt(['--store', join(dir, 'store-b'), 'bench', '--suite', 'ci', '--workers', '2', '--out', join(dir, 'ci-b')], dir);
    assert.equal(b.code, 0, b.stderr);
    for (const f of OUTPUTS) assert.ok(existsSync(join(dir, 'ci-a', f)), `${f} written`);
    const ra = readFileSync(join(dir, 'ci-a', 'results.csv'), 'utf8');
    assert.equal(readFileSync(join(dir, 'ci-b', 'results.csv'), 'utf8'), ra, 'results.csv byte-identical');
    const rows = parseResultsCsv(ra, 'results.csv');
    // every plugin is touched: 2 architectures, 5 behaviours, 8 techniques, 4 probes
    const ids = (k: 'architecture' | 'behaviour' | 'technique' | 'probe') => new Set(rows.map((r) => r[k]).filter((x) => x !== ''));
    assert.equal(ids('architecture').size, 2);
    assert.equal(ids('behaviour').size, 5);
    assert.equal(ids('technique').size, 8);
    assert.equal(ids('probe').size, 4);
    assert.ok(rows.every((r) => r.status === 'ok'), 'every cell ok');
    const html = readFileSync(join(dir, 'ci-a', 'report.html'), 'utf8');
    assert.ok((html.match(/<svg/g) ?? []).length >= 3, 'report has plots');
    // the null calibration end to end: one null organism (gemma3) calibrates nothing, so every probe is
    // uncalibrated there and on olmo2 (no nulls), says why, and its numbers leave the findings
    const nc = readFileSync(join(dir, 'ci-a', 'null-controls.csv'), 'utf8');
    assert.match(nc, /^logit-lens,ancestor,gemma3,all,[^\n]*,uncalibrated,"1 null organism\(s\), fewer than 2/m);
    assert.match(nc, /^logit-lens,ancestor,gemma3,italian-food,[^\n]*,uncalibrated,$/m);
    assert.match(readFileSync(join(dir, 'ci-a', 'summary.csv'), 'utf8'), /^posthoc-fd,logit-lens,ancestor,0,[^\n]*,uncalibrated,"?uncalibrated on gemma3: 1 null organism/m);
    assert.ok(html.includes('uncalibrated'), 'the report marks it');
    const run = JSON.parse(readFileSync(join(dir, 'ci-a', 'run.json'), 'utf8'));
    assert.equal(run.cells.ok, run.cells.total);
    assert.equal(run.size, 'micro');
    // the commit the run started from (the tree does not change during this test)
    assert.equal(run.git_sha, gitSha());
    // and the sources the code ran from (here the sources themselves, through ts-node)
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { sourceHash, buildDirs } = require('../../scripts/source-hash.js');
    assert.equal(run.source_hash, sourceHash(MOLT_ROOT, buildDirs(MOLT_ROOT)));

    // a rerun computes nothing: every record is reused, results unchanged
    const before = recordStamps(join(dir, 'ci-a'));
    const c = await runMolt(['--store', store, 'bench', '--suite', 'ci', '--workers', '0', '--out', join(dir, 'ci-a')], dir);
    assert.equal(c.code, 0, c.stderr);
    assert.match(c.stderr, new RegExp(`${before.size} cells already finished`));
    assert.deepEqual(recordStamps(join(dir, 'ci-a')), before, 'no record rewritten');
    assert.equal(readFileSync(join(dir, 'ci-a', 'results.csv'), 'utf8'), ra);
  });

  it('a tampered, garbage or checksum-less record is reported by file and computed again; the rest are reused', async () => {
    const out = join(dir, 'ci-a');
    const cells = join(out, 'cells');
    const results = readFileSync(join(out, 'results.csv'), 'utf8');
    const files = readdirSync(cells).sort();
    const tampered = files.find((f) => f.startsWith('probe~') && f.includes('logit-lens'))!;
    const garbage = files.find((f) => f.startsWith('organism~'))!;
    const legacy = files.find((f) => f.startsWith('probe~') && f !== tampered)!;
    // a valid record with one value edited, its checksum left as it was
    const edited = JSON.parse(readFileSync(join(cells, tampered), 'utf8'));
    const m = edited.metrics.find((x: { metric: string }) => x.metric === 'headline');
    m.value = 0.999;
    writeFileSync(join(cells, tampered), JSON.stringify(edited));
    writeFileSync(join(cells, garbage), '{"id": "organism:olmo2');
    const old = JSON.parse(readFileSync(join(cells, legacy), 'utf8'));
    delete old.checksum;
    writeFileSync(join(cells, legacy), JSON.stringify(old));
    const before = recordStamps(out);

    const r = await runMolt(['--store', store, 'bench', '--suite', 'ci', '--workers', '0', '--out', out], dir);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(r.stderr.includes(`warn: ${join(cells, tampered)}: its content does not match its checksum (edited or damaged); the cell is computed again\n`), r.stderr);
    assert.ok(r.stderr.includes(`warn: ${join(cells, garbage)}: not valid JSON; the cell is computed again\n`));
    assert.ok(r.stderr.includes(`warn: 1 record(s) in ${cells} have no checksum (written by a molt before records carried one, e.g. ${join(cells, legacy)}): their cells are computed again`));
    assert.match(r.stderr, new RegExp(`${before.size - 3} cells already finished`));
    const after = recordStamps(out);
    for (const [f, t] of before) assert.equal(after.get(f) !== t, [tampered, garbage, legacy].includes(f), `${f} recomputed only if it was bad`);
    assert.equal(readFileSync(join(out, 'results.csv'), 'utf8'), results, 'the edited value did not reach results.csv');
  });

  it('an out dir is locked by the run using it: a second run is refused naming the holder; a dead holder does not block', async () => {
    const out = join(dir, 'locked');
    const suite = join(dir, 'lock-suite.yaml');
    writeFileSync(suite, ['size: micro', 'match: false', 'reproducible: true', 'eval: { samples: 1, max_new_tokens: 8, leakage_prompts: 8 }', 'organisms:', '  - { behaviours: [cake-bake], techniques: [posthoc-fd], architectures: [olmo2], probes: [logit-lens] }', ''].join('\n'));
    const args = ['--store', join(dir, 'store-lock'), 'bench', '--suite', suite, '--workers', '0', '--out', out];
    const first = spawn(process.execPath, [BIN, ...args], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
    let firstErr = '';
    first.stderr!.on('data', (c) => (firstErr += c));
    const firstExit = new Promise<number | null>((r) => first.on('exit', (code) => r(code)));
    const lock = join(out, '.bench.lock');
    const t0 = Date.now();
    while (!(existsSync(lock) && readFileSync(lock, 'utf8').endsWith(` ${first.pid}`))) {
      assert.ok(Date.now() - t0 < 60_000, 'the first run holds the lock within a minute');
      await new Promise((r) => setTimeout(r, 50));
    }
    // hold the first run still while the second tries, so the two surely overlap
    first.kill('SIGSTOP');
    const second = await runMolt(args, dir);
    first.kill('SIGCONT');
    assert.equal(second.code, 1);
    assert.equal(second.stderr.split('\n').filter((l) => l.startsWith('molt: error:')).length, 1);
    assert.ok(second.stderr.includes(`molt: error: --out ${out} is in use by another molt bench (process ${first.pid} on ${hostname()}); wait for it to finish or choose another --out`), second.stderr);
    assert.doesNotMatch(second.stderr, /\[\d+\/\d+\]/, 'the second run ran no cell');
    assert.equal(await firstExit, 0, firstErr);
    const stamps = recordStamps(out);
    assert.equal(stamps.size, 3);
    // a lock left by a process that is gone (same host) is broken: the run goes ahead and reuses every cell
    writeFileSync(lock, `${hostname()} 999999999`);
    const third = await runMolt(args, dir);
    assert.equal(third.code, 0, third.stderr);
    assert.match(third.stderr, /3 cells already finished/);
    assert.deepEqual(recordStamps(out), stamps, 'no cell ran twice');
    assert.equal(existsSync(lock), false, 'released');
  });

  it('a run killed mid-way resumes without recomputing its finished cells', async () => {
    const out = join(dir, 'killed');
    const suite = join(dir, 'kill-suite.yaml');
    writeFileSync(suite, ['size: micro', 'match: false', 'reproducible: true', 'eval: { samples: 1, max_new_tokens: 8, leakage_prompts: 8 }', 'organisms:', '  - { behaviours: [cake-bake], techniques: [posthoc-fd, posthoc-sdf], architectures: [olmo2], probes: [logit-lens, steering, sae] }', ''].join('\n'));
    const child = spawn(process.execPath, [BIN, '--store', join(dir, 'store-kill'), 'bench', '--suite', suite, '--workers', '1', '--out', out], { cwd: dir, detached: true, stdio: 'ignore' });
    // kill the harness and its worker (one process group) once the first organism is recorded
    const first = join(out, 'cells', 'organism~olmo2~cake-bake~posthoc-fd~s0.json');
    const t0 = Date.now();
    while (!existsSync(first)) {
      assert.ok(Date.now() - t0 < 300_000, 'the first organism finished within 5 minutes');
      await new Promise((r) => setTimeout(r, 100));
    }
    process.kill(-child.pid!, 'SIGKILL');
    await new Promise((r) => setTimeout(r, 300));
    const before = recordStamps(out);
    assert.ok(before.size >= 2 && before.size < 9, `killed mid-way (${before.size} of 9 cells recorded)`);
    const r = await runMolt(['--store', join(dir, 'store-kill'), 'bench', '--suite', suite, '--workers', '0', '--out', out], dir);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, new RegExp(`${before.size} cells already finished`));
    const after = recordStamps(out);
    for (const [f, t] of before) assert.equal(after.get(f), t, `${f} not recomputed`);
    assert.equal(after.size, 9);
    const rows = parseResultsCsv(readFileSync(join(out, 'results.csv'), 'utf8'), 'results.csv');
    assert.ok(rows.every((x) => x.status === 'ok'));
  });

  it('plugins from outside the repo (behaviour, trainer, probe) show up in the matrix; a failing probe fails only its cells', async () => {
    const ext = mkdtempSync(join(tmpdir(), 'molt-ext-'));
    copyFileSync(join(__dirname, 'fixtures', 'ext-plugins.ts'), join(ext, 'my-plugins.ts'));
    writeFileSync(
      join(ext, 'suite.yaml'),
      ['size: micro', 'match: false', 'eval: { samples: 1, max_new_tokens: 8, leakage_prompts: 8 }', 'organisms:', '  - { behaviours: [ext-sonar, cake-bake], techniques: [ext-fd-gentle, posthoc-fd], architectures: [olmo2] }', 'probes: [ext-logprob-shift, ext-broken, logit-lens]', ''].join('\n'),
    );
    process.env.MOLT_ROOT = ROOT;
    const out = join(ext, 'out');
    // one worker process: the plugin must load there too, from the same --plugin
    const r = await runMolt(['--store', store, '--plugin', './my-plugins.ts', 'bench', '--suite', './suite.yaml', '--workers', '1', '--out', out], ext);
    // failed cells fail the run, named, after every output is written
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /molt: error: bench suite: 4 failed \(probe:olmo2:ext-sonar:ext-fd-gentle:s0:ext-broken@ancestor, probe:olmo2:ext-sonar:posthoc-fd:s0:ext-broken@ancestor, probe:olmo2:cake-bake:ext-fd-gentle:s0:ext-broken@ancestor and 1 more\) of 17 cells; the outputs in .* cover the rest: run again to retry them, or pass --allow-failures to accept a partial run\n$/);
    const matrix = readFileSync(join(out, 'matrix.csv'), 'utf8').trim().split('\n');
    const header = matrix[0].split(',');
    assert.ok(header.includes('ext-logprob-shift@ancestor') && header.includes('ext-broken@ancestor') && header.includes('logit-lens@ancestor'));
    assert.equal(matrix.length, 1 + 4, 'one row per organism');
    const sonar = matrix.find((l) => l.includes(',ext-sonar,') && l.includes(',ext-fd-gentle,'));
    assert.ok(sonar, 'the external behaviour x external trainer organism is a row');
    const rows = parseResultsCsv(readFileSync(join(out, 'results.csv'), 'utf8'), 'results.csv');
    const broken = rows.filter((x) => x.probe === 'ext-broken');
    assert.equal(broken.length, 4);
    assert.ok(broken.every((x) => x.status === 'failed' && /deliberately broken/.test(x.error)));
    const shift = rows.filter((x) => x.probe === 'ext-logprob-shift' && x.metric === 'headline');
    assert.equal(shift.length, 4);
    assert.ok(shift.every((x) => x.status === 'ok' && x.value >= 0 && x.value <= 1));
    assert.match(r.stdout, /13 ok, 4 failed, 0 skipped of 17 cells/);
    // --allow-failures accepts the partial run (the failed cells are tried again, the others reused)
    const partial = await runMolt(['--store', store, '--plugin', './my-plugins.ts', 'bench', '--suite', './suite.yaml', '--workers', '0', '--out', out, '--allow-failures'], ext);
    assert.equal(partial.code, 0, partial.stderr);
    assert.match(partial.stderr, /13 cells already finished/);
    assert.match(partial.stdout, /13 ok, 4 failed, 0 skipped of 17 cells/);
  });

  it('a probe variant runs beside its probe on the same organisms (a worker process too) and is calibrated and summarised under its own name', async () => {
    const suite = join(dir, 'variant-suite.yaml');
    // the ci suite's settings and two of its organisms, so the store already holds them, and a null organism
    writeFileSync(
      suite,
      [
        'size: micro', 'match: false', 'reproducible: true', 'eval: { samples: 1, max_new_tokens: 8, leakage_prompts: 8 }',
        'organisms:', '  - { behaviours: [italian-food, cake-bake, "null"], techniques: [posthoc-fd], architectures: [gemma3] }',
        'probes: [logit-lens, lens-diff]',
        'probe_variants:', '  lens-diff: { probe: logit-lens, settings: { headlineVariant: diff } }', '',
      ].join('\n'),
    );
    const out = join(dir, 'variant');
    const r = await runMolt(['--store', store, 'bench', '--suite', suite, '--workers', '1', '--out', out], dir);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /10 ok, 0 failed, 0 skipped of 10 cells/);
    const rows = parseResultsCsv(readFileSync(join(out, 'results.csv'), 'utf8'), 'results.csv');
    for (const behaviour of ['italian-food', 'cake-bake']) {
      const of = (probe: string) => rows.filter((x) => x.probe === probe && x.behaviour === behaviour);
      const [lens, variant] = [of('logit-lens'), of('lens-diff')];
      assert.ok(variant.length > 0 && variant.every((x) => x.status === 'ok'), behaviour);
      // the same measurements ...
      const key = (x: (typeof rows)[number]) => `${x.layer}|${x.variant}|${x.metric}|${x.value}`;
      const measured = (xs: typeof rows) => xs.filter((x) => !['headline', 'headline_floor', 'detected', 'snr'].includes(x.metric) && !x.variant.startsWith('relevant_mass')).map(key).sort();
      assert.deepEqual(measured(variant), measured(lens), behaviour);
      // ... and each headline is its own variant's relevant mass at the headline layer
      for (const [xs, v] of [[lens, 'organism_only'], [variant, 'diff']] as const) {
        const head = xs.find((x) => x.metric === 'headline')!;
        const mass = xs.find((x) => x.metric === 'relevant_mass' && x.variant === v && x.layer === head.layer)!;
        assert.equal(head.value, mass.value, `${behaviour} ${v}`);
      }
    }
    const probesIn = (file: string) => new Set(readFileSync(join(out, file), 'utf8').trim().split('\n').slice(1).map((l) => l.split(',')[file === 'summary.csv' ? 1 : 0]));
    assert.deepEqual([...probesIn('null-controls.csv')].sort(), ['lens-diff', 'logit-lens']);
    assert.deepEqual([...probesIn('summary.csv')].sort(), ['lens-diff', 'logit-lens']);
    assert.ok(readFileSync(join(out, 'matrix.csv'), 'utf8').split('\n')[0].split(',').includes('lens-diff@ancestor'));
  });

  it("a failed organism's skipped probes fail the run too, named", async () => {
    const ext = mkdtempSync(join(tmpdir(), 'molt-skip-'));
    copyFileSync(join(__dirname, 'fixtures', 'broken-trainer.ts'), join(ext, 'broken-trainer.ts'));
    writeFileSync(join(ext, 'suite.yaml'), ['size: micro', 'match: false', 'eval: { samples: 1, max_new_tokens: 8, leakage_prompts: 8 }', 'organisms:', '  - { behaviours: [cake-bake], techniques: [ext-broken-trainer], architectures: [olmo2] }', 'probes: [logit-lens, sae]', ''].join('\n'));
    process.env.MOLT_ROOT = ROOT;
    const r = await runMolt(['--store', store, '--plugin', './broken-trainer.ts', 'bench', '--suite', './suite.yaml', '--workers', '0', '--out', join(ext, 'out')], ext);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /1 ok, 1 failed, 2 skipped of 4 cells/);
    assert.match(r.stderr, /molt: error: bench suite: 1 failed \(organism:olmo2:cake-bake:ext-broken-trainer:s0\), 2 skipped \(probe:olmo2:cake-bake:ext-broken-trainer:s0:logit-lens@ancestor, probe:olmo2:cake-bake:ext-broken-trainer:s0:sae@ancestor\) of 4 cells;/);
  });

  it('bad suites are refused naming the field or listing the valid ids', async () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'organisms:\n  - { behaviours: [cake-bak], techniques: all, architectures: [olmo2] }\n');
    let r = await runMolt(['--store', store, 'bench', '--suite', bad, '--workers', '0'], dir);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /unknown behaviour 'cake-bak'; valid: cake-bake, italian-food/);
    writeFileSync(bad, 'organisms:\n  - { behaviours: [cake-bake], techniques: all, architectures: [olmo2], sedes: [1] }\n');
    r = await runMolt(['--store', store, 'bench', '--suite', bad, '--workers', '0'], dir);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /bad\.yaml: field 'organisms\.0.*sedes/);
    r = await runMolt(['bench', '--suite', 'no-such-suite'], dir);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /suite 'no-such-suite': no such file/);
  });
});
