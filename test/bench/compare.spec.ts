// molt compare: the pure diff on hand-made rows, then the command in process
// on small results.csv files.
import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  compareCsv,
  compareResults,
  findRegressions,
  parseRegressionThreshold,
  summarizeComparison,
  summaryText,
  type CompareRow,
} from '../../core/bench/compare';
import { resultsCsv } from '../../core/bench/results-csv';
import type { ResultRow } from '../../core/bench/rows';
import { runMolt } from '../helpers/cli';
import { resultRow } from '../helpers/result-row';

function row(over: Partial<ResultRow>): ResultRow {
  return resultRow({ run_id: 'run-a', organism_id: 'org-a', behaviour: 'cake-bake', family: 'cake-bake', technique: 'posthoc-fd', metric: 'qer', config_hash: 'hash-a', ...over });
}

const headline = (value: number, over: Partial<ResultRow> = {}): ResultRow =>
  row({ probe: 'steering', diffing_base: 'ancestor', metric: 'headline', variant: 'grade01', value, ...over });

/** `change old new delta` of each row, in output order, for compact assertions. */
function brief(rows: CompareRow[]): string[] {
  return rows.map((r) => `${r.probe}|${r.layer}|${r.metric}|${r.change}|${r.old}|${r.new}|${r.delta}|${r.old_status}|${r.new_status}|${r.headline}`);
}

describe('compareResults', () => {
  // B is the same experiment re-run after a code change: every hash, id and
  // wall-clock column differs, and none of that may count as a change.
  const rerun = { run_id: 'run-b', organism_id: 'org-b', config_hash: 'hash-b', cost_s: 12.5, created_at: '2025-01-01T00:00:00Z', molt_version: '0.2.0' };

  it('classifies same, changed, added, removed and status, with new - old deltas', () => {
    const a = [
      row({ metric: 'qer', value: 0.5 }),
      row({ metric: 'leakage', value: 0.125 }),
      headline(0.5),
      row({ probe: 'logit-lens', diffing_base: 'ancestor', layer: 2, metric: 'relevant_mass', value: 0.3 }),
      row({ probe: 'sae', diffing_base: 'ancestor', metric: 'cell', status: 'failed', error: 'boom' }),
    ];
    const b = [
      row({ ...rerun, probe: 'sae', diffing_base: 'ancestor', metric: 'cell', status: 'skipped', error: 'not run' }),
      row({ ...rerun, probe: 'logit-lens', diffing_base: 'ancestor', layer: 2, metric: 'relevant_mass', value: 0.3 }),
      headline(0.625, rerun),
      row({ ...rerun, metric: 'capability', value: 0.9 }),
      row({ ...rerun, metric: 'qer', value: 0.75 }),
    ];
    assert.deepEqual(brief(compareResults(a, b)), [
      // sorted by identity: probe '' (organism rows, by metric) before the probes
      '|NaN|capability|added|NaN|0.9|NaN||ok|0',
      '|NaN|leakage|removed|0.125|NaN|NaN|ok||0',
      '|NaN|qer|changed|0.5|0.75|0.25|ok|ok|0',
      'logit-lens|2|relevant_mass|same|0.3|0.3|0|ok|ok|0',
      'sae|NaN|cell|status|NaN|NaN|NaN|failed|skipped|0',
      'steering|NaN|headline|changed|0.5|0.625|0.125|ok|ok|1',
    ]);
  });

  it('NaN values: both empty is same, one empty is changed with a NaN delta; an empty layer is its own identity', () => {
    const a = [row({ metric: 'matched', value: NaN }), row({ metric: 'step', value: NaN }), row({ probe: 'sae', metric: 'hit', value: 1 })];
    const b = [row({ metric: 'matched', value: NaN }), row({ metric: 'step', value: 8 }), row({ probe: 'sae', layer: 1, metric: 'hit', value: 1 })];
    assert.deepEqual(brief(compareResults(a, b)), [
      '|NaN|matched|same|NaN|NaN|NaN|ok|ok|0',
      '|NaN|step|changed|NaN|8|NaN|ok|ok|0',
      'sae|NaN|hit|removed|1|NaN|NaN|ok||0',
      'sae|1|hit|added|NaN|1|NaN||ok|0',
    ]);
  });

  it('sorts by behaviour, technique, architecture, then seed numerically (2 before 10)', () => {
    const a = [row({ seed: 10 }), row({ seed: 2 }), row({ technique: 'integrated-dpo' }), row({ behaviour: 'animal-welfare' }), row({ architecture: 'gemma3' })];
    const out = compareResults(a, []).map((r) => `${r.behaviour}/${r.technique}/${r.architecture}/${r.seed}`);
    assert.deepEqual(out, [
      'animal-welfare/posthoc-fd/olmo2/0',
      'cake-bake/integrated-dpo/olmo2/0',
      'cake-bake/posthoc-fd/gemma3/0',
      'cake-bake/posthoc-fd/olmo2/2',
      'cake-bake/posthoc-fd/olmo2/10',
    ]);
  });

  it('a duplicate identity in one file is an error naming the file and the identity', () => {
    const dup = [headline(0.5), headline(0.6, { organism_id: 'other', run_id: 'other' })];
    assert.throws(
      () => compareResults([], dup, { a: 'old.csv', b: 'new/results.csv' }),
      (e: Error) =>
        e.name === 'MoltError' &&
        /^new\/results\.csv: duplicate row for /.test(e.message) &&
        e.message.includes('behaviour=cake-bake, technique=posthoc-fd, architecture=olmo2, seed=0, diffing_base=ancestor, probe=steering, layer=, variant=grade01, metric=headline'),
    );
    // the same identity once in each file is the normal case
    assert.equal(compareResults([headline(0.5)], [headline(0.5)]).length, 1);
  });

  it('writes the CSV with the identity columns, old, new, delta, statuses, change and headline', () => {
    const csv = compareCsv(compareResults([headline(0.5), row({ value: 0.25 })], [headline(0.75)]));
    assert.equal(
      csv,
      'behaviour,technique,architecture,seed,diffing_base,probe,layer,variant,metric,old,new,delta,old_status,new_status,change,headline\n' +
        'cake-bake,posthoc-fd,olmo2,0,,,,,qer,0.25,,,ok,,removed,0\n' +
        'cake-bake,posthoc-fd,olmo2,0,ancestor,steering,,grade01,headline,0.5,0.75,0.25,ok,ok,changed,1\n',
    );
  });
});

describe('summarizeComparison', () => {
  it('counts every change kind, lists headline moves by |delta| (top n) and organism QER moves', () => {
    const a = [
      headline(0.5, { seed: 0 }),
      headline(0.5, { seed: 1 }),
      headline(0.5, { seed: 2 }),
      headline(0.5, { seed: 3 }),
      row({ seed: 0, value: 0.5 }),
      row({ seed: 1, value: 0.5 }),
      row({ seed: 2, value: 0.5 }),
      row({ probe: 'sae', diffing_base: 'ancestor', metric: 'qer', value: 0.1 }),
    ];
    const b = [
      headline(0.25, { seed: 0 }), // -0.25
      headline(0.5, { seed: 1 }), // same
      headline(0.875, { seed: 2 }), // +0.375
      headline(0.625, { seed: 3 }), // +0.125
      row({ seed: 0, value: 0.5 }),
      row({ seed: 1, value: 0.75 }),
      row({ probe: 'sae', diffing_base: 'ancestor', metric: 'qer', value: 0.2 }), // a probe metric named qer is not the organism's
    ];
    const s = summarizeComparison(compareResults(a, b), 2);
    assert.equal(s.rows, 8);
    assert.deepEqual(s.counts, { same: 2, changed: 5, added: 0, removed: 1, status: 0 });
    assert.deepEqual(
      s.headlineMoves.map((m) => [m.cell, m.old, m.new, m.delta]),
      [
        ['cake-bake/posthoc-fd/olmo2/seed2 steering@ancestor headline(grade01)', 0.5, 0.875, 0.375],
        ['cake-bake/posthoc-fd/olmo2/seed0 steering@ancestor headline(grade01)', 0.5, 0.25, -0.25],
      ],
    );
    // changed first by |delta|, the removed one (NaN delta) last
    assert.deepEqual(
      s.qerMoves.map((m) => [m.cell, m.change, m.delta]),
      [
        ['cake-bake/posthoc-fd/olmo2/seed1 qer', 'changed', 0.25],
        ['cake-bake/posthoc-fd/olmo2/seed2 qer', 'removed', NaN],
      ],
    );
    const text = summaryText(s, 2);
    assert.match(text, /^8 rows: 2 same, 5 changed, 0 added, 1 removed, 0 status\n/);
    assert.match(text, /seed2 steering@ancestor headline\(grade01\): 0\.5000 -> 0\.8750 \(\+0\.3750\)\n/);
    assert.match(text, /seed0 steering@ancestor headline\(grade01\): 0\.5000 -> 0\.2500 \(-0\.2500\)\n/);
    assert.match(text, /seed2 qer: 0\.5000 -> NA \[removed\]\n/);
  });
});

describe('findRegressions', () => {
  const reasons = (a: ResultRow[], b: ResultRow[], x: number) => findRegressions(compareResults(a, b), x).map((g) => `${g.row.seed}: ${g.reason}`);

  it('a headline move larger than X in either direction, not one of exactly X', () => {
    const a = [headline(0.5, { seed: 0 }), headline(0.5, { seed: 1 }), headline(0.7, { seed: 2 }), row({ value: 0.1 })];
    const b = [headline(0.6, { seed: 0 }), headline(0.375, { seed: 1 }), headline(0.8, { seed: 2 }), row({ value: 0.9 })];
    assert.deepEqual(reasons(a, b, 0.05), ['0: 0.5000 -> 0.6000 (+0.1000)', '1: 0.5000 -> 0.3750 (-0.1250)', '2: 0.7000 -> 0.8000 (+0.1000)']);
    // 0.8 - 0.7 is 0.10000000000000009 in doubles: still "not more than 0.1"
    assert.deepEqual(reasons(a, b, 0.1), ['1: 0.5000 -> 0.3750 (-0.1250)']);
    assert.deepEqual(reasons(a, b, 0.2), [], 'the organism QER moved by 0.8 but is not a headline');
  });

  it('a headline ok in A that is failed, skipped, removed or lost its value in B, whatever X', () => {
    const a = [headline(0.5, { seed: 0 }), headline(0.5, { seed: 1 }), headline(0.5, { seed: 2 }), headline(0.5, { seed: 3 })];
    const b = [
      headline(NaN, { seed: 0, status: 'failed' }),
      row({ seed: 1, probe: 'steering', diffing_base: 'ancestor', metric: 'cell', status: 'skipped' }),
      headline(NaN, { seed: 3 }),
      headline(0.9, { seed: 4 }), // new in B: not a regression
    ];
    assert.deepEqual(reasons(a, b, 1), ['0: ok -> failed', '1: removed (cell skipped in the new run)', '2: removed', '3: 0.5000 -> no value']);
    // a headline that was already failed in A cannot regress
    assert.deepEqual(reasons([headline(NaN, { status: 'failed' })], [], 0), []);
  });
});

describe('parseRegressionThreshold', () => {
  it('takes a number >= 0 and names the flag otherwise', () => {
    assert.equal(parseRegressionThreshold('0.05'), 0.05);
    assert.equal(parseRegressionThreshold('0'), 0);
    assert.equal(parseRegressionThreshold('1e-3'), 0.001);
    for (const bad of ['-0.1', 'abc', '', '0.1x', 'NaN']) {
      assert.throws(() => parseRegressionThreshold(bad), { name: 'MoltError', message: `--fail-on-regression: expected a number >= 0, got '${bad}'` }, bad);
    }
  });
});

describe('molt compare (in process)', function () {
  this.timeout(30_000);
  let dir: string;
  let runA: string;
  let fileB: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'molt-compare-'));
    runA = join(dir, 'run-a');
    mkdirSync(runA);
    writeFileSync(join(runA, 'results.csv'), resultsCsv([row({ value: 0.5 }), headline(0.5), headline(0.25, { probe: 'sae' })]));
    fileB = join(dir, 'b.csv');
    writeFileSync(fileB, resultsCsv([row({ organism_id: 'org-b', cost_s: 3, value: 0.5 }), headline(0.6, { organism_id: 'org-b' }), headline(0.25, { probe: 'sae' })]));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('exits 0 without --fail-on-regression and prints the summary', async () => {
    const r = await runMolt(['compare', runA, fileB]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /3 rows: 2 same, 1 changed, 0 added, 0 removed, 0 status/);
    assert.match(r.stdout, /seed0 steering@ancestor headline\(grade01\): 0\.5000 -> 0\.6000 \(\+0\.1000\)/);
    assert.match(r.stdout, /no organism QER moved/);
  });

  it('--fail-on-regression 0.05 exits 1 naming the cell that moved by 0.1; 0.2 exits 0', async () => {
    const fail = await runMolt(['compare', runA, fileB, '--fail-on-regression', '0.05']);
    assert.equal(fail.code, 1);
    assert.match(fail.stderr, /molt: error: --fail-on-regression 0\.05: 1 headline cell\(s\) regressed: cake-bake\/posthoc-fd\/olmo2\/seed0 steering@ancestor headline\(grade01\): 0\.5000 -> 0\.6000/);
    assert.doesNotMatch(fail.stderr, /sae@/);
    const pass = await runMolt(['compare', runA, fileB, '--fail-on-regression', '0.2']);
    assert.equal(pass.code, 0, pass.stderr);
  });

  it('--out writes the comparison CSV; --json prints summary and rows', async () => {
    const out = join(dir, 'diff.csv');
    const r = await runMolt(['compare', runA, fileB, '--out', out, '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(
      readFileSync(out, 'utf8'),
      'behaviour,technique,architecture,seed,diffing_base,probe,layer,variant,metric,old,new,delta,old_status,new_status,change,headline\n' +
        'cake-bake,posthoc-fd,olmo2,0,,,,,qer,0.5,0.5,0,ok,ok,same,0\n' +
        'cake-bake,posthoc-fd,olmo2,0,ancestor,sae,,grade01,headline,0.25,0.25,0,ok,ok,same,1\n' +
        'cake-bake,posthoc-fd,olmo2,0,ancestor,steering,,grade01,headline,0.5,0.6,0.09999999999999998,ok,ok,changed,1\n',
    );
    const j = JSON.parse(r.stdout);
    assert.deepEqual(j.summary.counts, { same: 2, changed: 1, added: 0, removed: 0, status: 0 });
    assert.equal(j.rows.length, 3);
    assert.equal(j.rows[0].layer, null, 'NaN is null in JSON');
  });

  it('a missing file or directory, a run directory without results.csv, and a bad threshold are errors naming them', async () => {
    const missing = join(dir, 'nope');
    const a = await runMolt(['compare', missing, fileB]);
    assert.equal(a.code, 1);
    assert.match(a.stderr, new RegExp(`molt: error: ${missing}: no such file or directory`));
    const empty = join(dir, 'empty-run');
    mkdirSync(empty);
    const b = await runMolt(['compare', runA, empty]);
    assert.equal(b.code, 1);
    assert.match(b.stderr, new RegExp(`molt: error: ${join(empty, 'results.csv')}: cannot read results`));
    const c = await runMolt(['compare', runA, fileB, '--fail-on-regression', '-1']);
    assert.equal(c.code, 1);
    assert.match(c.stderr, /--fail-on-regression: expected a number >= 0, got '-1'/);
  });
});
