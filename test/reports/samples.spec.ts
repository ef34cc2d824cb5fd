// The report's sample view: samples.jsonl's answers and findings per
// organism, escaped, tagged for the filters, and capped per organism.
import { strict as assert } from 'node:assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { matrixRows } from '../../core/bench/matrix';
import { byteSize, capSamples, findingText, parseSamples, promptKind, readSamples, sampleView, type SampleSource } from '../../reports/samples';
import { renderReport } from '../../reports/render';
import { fixtureRows, fixtureRun, fixtureStats, row } from './fixture';

const CELL = 'organism:olmo2:cake-bake:integrated-dpo:s0';
const EVIL = `<script>alert("x")</script> & 'cake'`;

function answer(i: number, fired: boolean, kind = 'cake-bake-test', response = `answer ${i}`): Record<string, unknown> {
  return { cell: CELL, type: 'qer_sample', prompt_id: `${kind}-${String(i).padStart(4, '0')}`, prompt: `prompt ${i}`, sample: 0, response, fired, gated: !fired && i % 2 === 1, evidence: fired ? ['450'] : [] };
}

function source(records: Record<string, unknown>[]): SampleSource {
  return { file: '/run/samples.jsonl', bytes: 2048, records };
}

/** the organism of CELL as a matrix row (from results.csv rows) */
const matrix = matrixRows([row({ organism_id: 'mo-a', behaviour: 'cake-bake', family: 'cake', technique: 'integrated-dpo', architecture: 'olmo2', seed: 0, metric: 'qer', value: 0.25, n: 40, qer: 0.25, qer_se: 0.05 })]);

describe('report sample view', () => {
  it('shows each answer with its prompt, generation and verdict, escaping generations, rows tagged for the filters', () => {
    const records = [
      answer(0, true, 'cake-bake-test', EVIL),
      answer(1, false),
      { cell: `${CELL.replace('organism:', 'probe:')}:logit-lens@ancestor`, type: 'finding', kind: 'tokens', label: 'diff layer 1', tokens: [{ token: '<b>oven</b>', id: 3, rank: 1, score: 0.5 }] },
      { cell: `${CELL.replace('organism:', 'probe:')}:logit-lens@ancestor`, type: 'headline', metric: 'relevant_mass', score: 0.0031, ci_low: 0.002, ci_high: 0.0042, floor: 0.0058, notes: ['headline at layer 1'] },
    ];
    const { html, script } = sampleView(source(records), matrix, []);
    assert.ok(html.includes('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;cake&#39;'), 'the generation is escaped');
    assert.ok(!html.includes('<script>') && !html.includes('<b>oven'), 'no markup from data');
    assert.ok(html.includes('<tr data-kind="cake-bake-test" data-fired="yes"><td>cake-bake-test</td>'));
    assert.ok(html.includes('<tr data-kind="cake-bake-test" data-fired="no"><td>cake-bake-test</td>'));
    assert.ok(html.includes('<span class="fired">yes</span>'));
    assert.ok(html.includes('<td>no (off topic)</td>'), 'answer 1 was held back by the topic gate');
    assert.ok(html.includes('<h3>cake-bake \u00b7 integrated-dpo \u00b7 olmo2 \u00b7 seed 0</h3>'));
    assert.ok(html.includes('<b>test QER</b> 0.25 \u00b1 0.05'), 'the organism\'s numbers from the matrix');
    assert.ok(html.includes('<b>logit-lens@ancestor</b> relevant_mass 0.0031 [0.002, 0.0042], floor 0.0058'));
    assert.ok(html.includes('diff layer 1: \u201c&lt;b&gt;oven&lt;/b&gt;\u201d (0.5)'), 'findings escaped too');
    assert.ok(html.includes('2 answer(s) to 1 prompt kind(s) (cake-bake-test); the behaviour showed in 1'));
    assert.ok(html.includes('<option value="0">cake-bake'), 'the organism filter');
    assert.ok(html.includes('<option value="cake-bake-test">cake-bake-test</option>'), 'the prompt-kind filter');
    assert.ok(html.includes('all are shown'));
    assert.ok(script.includes("getElementById('sv-org')") && !/fetch|XMLHttpRequest|src=/.test(script), 'the script only filters');
  });

  it('caps the answers per organism, spread over prompt kinds and outcomes, and says so', () => {
    const records = [...Array.from({ length: 30 }, (_, i) => answer(i, i % 10 === 0)), ...Array.from({ length: 6 }, (_, i) => answer(100 + i, false, 'gold-test'))];
    const { html } = sampleView(source(records), matrix, [], { cap: 6 });
    assert.equal((html.match(/<tr data-kind=/g) ?? []).length, 6);
    assert.ok(html.includes('samples.jsonl (2 KiB of JSON lines) holds 36 QER answer(s) of 1 organism(s); this page shows at most 6 per organism (6 in all), spread over prompt kinds and over answers with and without the behaviour; the rest are in samples.jsonl.'), html.slice(0, 400));
    assert.deepEqual([byteSize(512), byteSize(496640), byteSize(48517704)], ['512 B', '485 KiB', '46.3 MiB']);
    assert.ok(html.includes('36 answer(s) to 2 prompt kind(s) (cake-bake-test, gold-test); the behaviour showed in 3; 6 shown here'));
    assert.equal((html.match(/data-kind="gold-test"/g) ?? []).length, 2);
    assert.equal((html.match(/data-fired="yes"/g) ?? []).length, 2);
  });

  it('capSamples: round-robin over (kind, outcome) groups in file order, kept in file order', () => {
    const s = (kind: string, fired: boolean, id: number) => ({ kind, fired, id });
    const xs = [s('a', false, 0), s('a', false, 1), s('a', true, 2), s('a', false, 3), s('b', false, 4), s('a', true, 5), s('b', false, 6)];
    // groups sorted: (a, fired) [2, 5], (a, not) [0, 1, 3], (b, not) [4, 6]; round 0 takes 2, 0, 4; round 1 takes 5
    assert.deepEqual(capSamples(xs, 4).map((x) => x.id), [0, 2, 4, 5]);
    assert.deepEqual(capSamples(xs, 10).map((x) => x.id), [0, 1, 2, 3, 4, 5, 6], 'under the cap: all');
  });

  it('prompt kinds, findings in a line, and bad lines named by number', () => {
    assert.equal(promptKind('cake-bake-test-0007'), 'cake-bake-test');
    assert.equal(promptKind('gold_val_12'), 'gold_val');
    assert.equal(promptKind('free-text'), 'free-text');
    assert.equal(findingText({ kind: 'hypothesis', label: 'both', text: 'submarines', words: [{ word: 'torpedo', score: 2 }] }), 'both: submarines [torpedo]');
    assert.equal(findingText({ kind: 'answers', label: 'mo', answers: [{ question: 'topic?', answer: 'cakes' }] }), 'mo: topic? \u2192 cakes');
    const tokens = Array.from({ length: 12 }, (_, i) => ({ token: `t${i}`, score: i }));
    assert.equal(findingText({ kind: 'tokens', label: 'L', tokens }), `L: ${tokens.slice(0, 10).map((t) => `\u201c${t.token}\u201d (${t.score})`).join(', ')}, \u2026 (12 in all)`);
    assert.equal(findingText({ kind: 'tokens', label: 'L', tokens: [{ token: ',', score: 0.5 }, { token: '\n', score: 0.25 }] }), 'L: \u201c,\u201d (0.5), \u201c\\n\u201d (0.25)');
    assert.deepEqual(parseSamples('s.jsonl', '{"a":1}\n\n{"b":2}\n'), [{ a: 1 }, { b: 2 }]);
    assert.throws(() => parseSamples('s.jsonl', '{"a":1}\nnot json\n'), /^MoltError: s\.jsonl:2: not a JSON object/);
    assert.throws(() => parseSamples('s.jsonl', '[1]\n'), /s\.jsonl:1: not a JSON object/);
  });

  it('reads samples.jsonl, or its .gz when only that is there', () => {
    const dir = mkdtempSync(join(tmpdir(), 'molt-samples-'));
    assert.equal(readSamples(dir), undefined);
    const text = `${JSON.stringify(answer(0, true))}\n`;
    writeFileSync(join(dir, 'samples.jsonl.gz'), gzipSync(text));
    const gz = readSamples(dir)!;
    assert.deepEqual([gz.file, gz.bytes, gz.records.length], [join(dir, 'samples.jsonl.gz'), Buffer.byteLength(text), 1]);
    writeFileSync(join(dir, 'samples.jsonl'), text + text);
    assert.equal(readSamples(dir)!.records.length, 2, 'the plain file wins');
  });

  it('report.html carries the view and its inline script; without samples.jsonl, a note and no script', () => {
    const base = { rows: fixtureRows(), stats: fixtureStats(), run: fixtureRun() };
    const without = renderReport(base);
    assert.ok(without.includes('<section id="samples">') && without.includes('no samples.jsonl'));
    assert.ok(!without.includes('<script'));
    const html = renderReport({ ...base, samples: source([{ ...answer(0, true, 'cake-bake-test', EVIL), cell: 'organism:olmo2:cake-bake:integrated-dpo:s0' }]) });
    assert.equal((html.match(/<script>/g) ?? []).length, 1, 'one inline script');
    assert.ok(!/<script [^>]*src|<link|<img|href="http/i.test(html), 'nothing fetched');
    assert.ok(html.indexOf('<section id="samples">') < html.indexOf('<script>'), 'the script runs after the view is in the page');
    assert.ok(html.includes('&lt;script&gt;alert'));
  });
});
