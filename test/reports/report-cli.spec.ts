// molt report DIR, in-process: rebuilds matrix.csv, the statistics CSVs and
// report.html from a results.csv written here.
import { strict as assert } from 'node:assert';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { matrixCsv, matrixRows } from '../../core/bench/matrix';
import { readRunInfo } from '../../reports/outputs';
import { readResultsCsv, resultsCsv } from '../../core/bench/results-csv';
import { computeStats, detectionKey, statsCsvs } from '../../core/bench/stats';
import { renderReport } from '../../reports/render';
import { runMolt } from '../helpers/cli';
import { fixtureRows } from './fixture';

const DERIVED = ['matrix.csv', 'organisms.csv', 'summary.csv', 'null-controls.csv', 'anova.csv', 'paired.csv', 'report.html'];

function assertOneLineError(r: { code: number; stderr: string }, pattern: RegExp): void {
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, pattern);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
}

describe('molt report', function () {
  this.timeout(60000);
  const root = mkdtempSync(join(tmpdir(), 'molt-report-'));

  function runDir(name: string): string {
    const dir = join(root, name);
    mkdirSync(dir);
    writeFileSync(join(dir, 'results.csv'), resultsCsv(fixtureRows()));
    return dir;
  }

  it('without run.json: writes every derived file, as the core functions compute them, seed 0, unknown run fields', async () => {
    const dir = runDir('plain');
    const r = await runMolt(['report', 'plain'], root);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.stdout.trim().split('\n'), DERIVED.map((f) => join(dir, f)));
    assert.deepEqual(readdirSync(dir).sort(), [...DERIVED, 'results.csv'].sort(), 'no temporary files left');
    const j = await runMolt(['report', 'plain', '--json'], root);
    assert.equal(j.code, 0, j.stderr);
    assert.deepEqual(JSON.parse(j.stdout), { dir, written: DERIVED.map((f) => join(dir, f)) });

    const rows = readResultsCsv(join(dir, 'results.csv'));
    // no run.json: read as a file from before suites named their paired reference, which was integrated-dpo
    const stats = computeStats(rows, { seed: 0, pairedReference: 'integrated-dpo' });
    const csvs = statsCsvs(stats);
    // the detected columns are the run's null-calibrated detection
    assert.equal(readFileSync(join(dir, 'matrix.csv'), 'utf8'), matrixCsv(matrixRows(rows), (m, key) => stats.detected?.get(detectionKey(m, key))));
    for (const f of ['summary.csv', 'null-controls.csv', 'anova.csv', 'paired.csv'] as const) assert.equal(readFileSync(join(dir, f), 'utf8'), csvs[f], f);
    const run = { suite: 'unknown', molt_version: '0.1.0', backend: 'unknown', seed: 0, git_sha: 'unknown', paired_reference: 'integrated-dpo' };
    assert.deepEqual(await readRunInfo(dir, rows), run);
    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    assert.equal(html, renderReport({ rows, stats, run }));
    assert.ok(html.includes('<dt>git sha</dt><dd>unknown</dd>'));
    assert.ok(!html.includes('<script'));
  });

  it('with run.json: its seed seeds the statistics and its fields head the page; a rerun gives the same bytes', async () => {
    const dir = runDir('with-run');
    const run = { suite: 'tiny', title: 'Tiny & quick', molt_version: '0.1.0', backend: 'wasm', seed: 7, git_sha: 'abc1234', started_at: '2025-01-02T03:04:05Z', seconds: 61.5, cells: { total: 17, ok: 15, failed: 1, skipped: 1 }, extra: 'ignored' };
    writeFileSync(join(dir, 'run.json'), JSON.stringify(run));
    const first = await runMolt(['report', dir]);
    assert.equal(first.code, 0, first.stderr);
    const rows = readResultsCsv(join(dir, 'results.csv'));
    assert.equal(readFileSync(join(dir, 'summary.csv'), 'utf8'), statsCsvs(computeStats(rows, { seed: 7 }))['summary.csv']);
    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    assert.ok(html.includes('<title>Tiny &amp; quick</title>'));
    assert.ok(html.includes('<dd>abc1234</dd>') && html.includes('<dd>61.5 s</dd>') && html.includes('17 total: 15 ok, 1 failed, 1 skipped</dd>'));
    const before = DERIVED.map((f) => readFileSync(join(dir, f), 'utf8'));
    assert.equal((await runMolt(['report', dir])).code, 0);
    assert.deepEqual(DERIVED.map((f) => readFileSync(join(dir, f), 'utf8')), before);
  });

  it("run.json's paired_reference: a technique pairs the others with it, null means no paired analysis, a file without the key predates it (integrated-dpo)", async () => {
    const dir = runDir('paired');
    const rows = readResultsCsv(join(dir, 'results.csv'));
    const pairedOf = async (json: object) => {
      writeFileSync(join(dir, 'run.json'), JSON.stringify(json));
      assert.equal((await runMolt(['report', dir])).code, 0);
      return { ref: (await readRunInfo(dir, rows)).paired_reference, csv: readFileSync(join(dir, 'paired.csv'), 'utf8') };
    };
    const expect = (ref: string | undefined) => statsCsvs(computeStats(rows, { seed: 0, pairedReference: ref }))['paired.csv'];
    const sdf = await pairedOf({ paired_reference: 'posthoc-sdf' });
    assert.deepEqual(sdf, { ref: 'posthoc-sdf', csv: expect('posthoc-sdf') });
    assert.deepEqual(await pairedOf({ paired_reference: null }), { ref: undefined, csv: 'probe,diffing_base,technique,n_pairs,mean_diff,ci_low,ci_high,n_lower,n_higher,n_tied,p_sign,note\n' });
    const legacy = await pairedOf({ suite: 'old' });
    assert.deepEqual(legacy, { ref: 'integrated-dpo', csv: expect('integrated-dpo') });
    // the fixture's probes are uncalibrated: a paired analysis has their 'left out' rows, none has no rows
    assert.equal(legacy.csv.split('\n').filter((l) => l.includes('uncalibrated')).length, 3);
  });

  it('bad input: a clear one-line error naming the path or field', async () => {
    assertOneLineError(await runMolt(['report', join(root, 'nope')]), /report: .*nope is not a directory/);
    const empty = join(root, 'empty');
    mkdirSync(empty);
    assertOneLineError(await runMolt(['report', empty]), /report: .*empty\/results\.csv not found/);
    assert.ok(!existsSync(join(empty, 'report.html')));

    const badRun = runDir('bad-run');
    writeFileSync(join(badRun, 'run.json'), JSON.stringify({ seed: 'seven' }));
    assertOneLineError(await runMolt(['report', badRun]), /bad-run\/run\.json: field 'seed' must be a finite number, got "seven"/);
    writeFileSync(join(badRun, 'run.json'), JSON.stringify({ cells: { total: 3, ok: 1.5, failed: 0, skipped: 0 } }));
    assertOneLineError(await runMolt(['report', badRun]), /run\.json: field 'cells\.ok' must be a count/);
    writeFileSync(join(badRun, 'run.json'), JSON.stringify({ paired_reference: 3 }));
    assertOneLineError(await runMolt(['report', badRun]), /run\.json: field 'paired_reference' must be a technique id or null, got 3/);
    writeFileSync(join(badRun, 'run.json'), '[1]');
    assertOneLineError(await runMolt(['report', badRun]), /run\.json: expected a JSON object/);

    const badCsv = join(root, 'bad-csv');
    mkdirSync(badCsv);
    writeFileSync(join(badCsv, 'results.csv'), 'run_id,organism_id\nx,y\n');
    assertOneLineError(await runMolt(['report', badCsv]), /bad-csv\/results\.csv: missing column\(s\) behaviour/);
  });
});
