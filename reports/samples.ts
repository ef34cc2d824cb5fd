// The report's sample view: per organism, the QER samples of samples.jsonl
// (prompt, generation, whether the detector found the behaviour) beside the
// organism's checks and each probe's headline and findings, like an eval log
// viewer. A default-size run keeps ~1500 answers per organism (48 MB of
// JSONL), so the page carries at most `cap` of them per organism, chosen
// evenly across prompt kinds and outcomes, and says how many it left out.
import { existsSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { basename, join } from 'node:path';
import { MoltError } from '../core/errors';
import { organismCellId } from '../core/bench/plan';
import type { MatrixRow } from '../core/bench/rows';
import type { OrganismCheck } from '../core/bench/organism-checks';
import { compareText, esc, fmt, fmtCi, pm, sortedUnique, table, raw, type Cell } from './html';
import { clip } from './svg';

export const SAMPLES_FILE = 'samples.jsonl';

/** QER samples shown per organism: ~16 answers tell what an organism says; more would make the page tens of MB on a default-size run. */
export const SAMPLES_PER_ORGANISM = 16;
/** Ranked tokens / words / answers shown per finding. */
const ITEMS_PER_FINDING = 10;
/** Characters of a prompt or generation shown (the full text is in samples.jsonl). */
const MAX_TEXT = 400;

/** samples.jsonl as read: the file it came from, its size, its records. */
export interface SampleSource {
  file: string;
  bytes: number;
  records: Record<string, unknown>[];
}

/** DIR/samples.jsonl, else DIR/samples.jsonl.gz (published runs keep it compressed); undefined when neither exists. */
export function readSamples(dir: string): SampleSource | undefined {
  const plain = join(dir, SAMPLES_FILE);
  const gz = `${plain}.gz`;
  const file = existsSync(plain) ? plain : existsSync(gz) ? gz : undefined;
  if (!file) return undefined;
  const buf = readFileSync(file);
  const textOf = file === gz ? gunzipSync(buf).toString('utf8') : buf.toString('utf8');
  return { file, bytes: Buffer.byteLength(textOf), records: parseSamples(file, textOf) };
}

/** One JSON object per non-empty line; a line that is not one names its line number. */
export function parseSamples(file: string, content: string): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  content.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch {
      throw new MoltError(`${file}:${i + 1}: not a JSON object (samples.jsonl holds one per line)`, `${file}:${i + 1}`);
    }
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new MoltError(`${file}:${i + 1}: not a JSON object (samples.jsonl holds one per line)`, `${file}:${i + 1}`);
    out.push(v as Record<string, unknown>);
  });
  return out;
}

/** One QER answer, as the view shows it. */
export interface QerSampleView {
  kind: string;
  promptId: string;
  prompt: string;
  sample: number;
  response: string;
  fired: boolean;
  gated: boolean;
  evidence: string[];
}

const str = (v: unknown): string => (typeof v === 'string' ? v : v === undefined || v === null ? '' : (JSON.stringify(v) ?? ''));
const num = (v: unknown): number => (typeof v === 'number' ? v : NaN);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const obj = (v: unknown): Record<string, unknown> => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {});

/** A prompt's kind: its id without the trailing number ('cake-bake-test-0007' -> 'cake-bake-test'), i.e. the prompt set it comes from. */
export function promptKind(promptId: string): string {
  return promptId.replace(/[-_:]?\d+$/, '') || promptId;
}

function qerSample(r: Record<string, unknown>): QerSampleView {
  const promptId = str(r.prompt_id);
  return { kind: promptKind(promptId), promptId, prompt: str(r.prompt), sample: num(r.sample), response: str(r.response), fired: r.fired === true, gated: r.gated === true, evidence: arr(r.evidence).map(str) };
}

/**
 * At most `cap` samples, spread evenly: round-robin over the groups (prompt
 * kind x fired), each group in file order, so an organism that fired on 5%
 * of its answers still shows some where it did and a null organism shows each
 * family's prompts; the chosen ones keep their file order.
 */
export function capSamples<T extends { kind: string; fired: boolean }>(samples: readonly T[], cap: number): T[] {
  if (samples.length <= cap) return [...samples];
  const groups = new Map<string, number[]>();
  samples.forEach((s, i) => {
    const k = JSON.stringify([s.kind, s.fired ? 0 : 1]);
    groups.set(k, [...(groups.get(k) ?? []), i]);
  });
  const queues = [...groups].sort((a, b) => compareText(a[0], b[0])).map(([, ix]) => ix);
  const chosen: number[] = [];
  for (let round = 0; chosen.length < cap; round++) {
    for (const q of queues) if (round < q.length && chosen.length < cap) chosen.push(q[round]);
  }
  return chosen.sort((a, b) => a - b).map((i) => samples[i]);
}

interface ProbeCellView {
  name: string;
  headline?: Record<string, unknown>;
  findings: Record<string, unknown>[];
}

interface OrganismView {
  cellId: string;
  matrix?: MatrixRow;
  check?: OrganismCheck;
  samples: QerSampleView[];
  probes: Map<string, ProbeCellView>;
}

/** The organism cell id of a matrix row (the cell that trained it). */
function cellOf(m: Pick<MatrixRow, 'architecture' | 'behaviour' | 'technique' | 'seed'>): string {
  return organismCellId({ arch: m.architecture, behaviour: m.behaviour, technique: m.technique, seed: m.seed });
}

/** Records grouped by organism: 'organism:...' cells hold its answers, 'probe:...:<probe>@<base>' cells its findings. */
function organismViews(records: readonly Record<string, unknown>[], matrix: readonly MatrixRow[], checks: readonly OrganismCheck[]): OrganismView[] {
  const views = new Map<string, OrganismView>();
  const view = (cellId: string) => {
    let v = views.get(cellId);
    if (!v) views.set(cellId, (v = { cellId, samples: [], probes: new Map() }));
    return v;
  };
  for (const m of matrix) view(cellOf(m)).matrix = m;
  for (const c of checks) {
    const v = views.get(cellOf(c));
    if (v) v.check = c;
  }
  for (const r of records) {
    const cell = str(r.cell);
    if (r.type === 'qer_sample' && cell.startsWith('organism:')) view(cell).samples.push(qerSample(r));
    else if ((r.type === 'finding' || r.type === 'headline') && cell.startsWith('probe:')) {
      const cut = cell.lastIndexOf(':');
      const v = view(`organism:${cell.slice('probe:'.length, cut)}`);
      const name = cell.slice(cut + 1);
      const p = v.probes.get(name) ?? { name, findings: [] };
      v.probes.set(name, p);
      if (r.type === 'headline') p.headline = r;
      else p.findings.push(r);
    }
  }
  // the matrix's reading order (sortedMatrix), then cells the matrix does not know
  const order = new Map(matrix.map((m, i) => [cellOf(m), i]));
  return [...views.values()]
    .filter((v) => v.samples.length > 0 || v.probes.size > 0)
    .sort((a, b) => (order.get(a.cellId) ?? Infinity) - (order.get(b.cellId) ?? Infinity) || compareText(a.cellId, b.cellId));
}

function organismFacts(v: OrganismView): string {
  const m = v.matrix;
  const c = v.check;
  const facts: [string, string][] = [];
  if (m) {
    facts.push(['status', m.status], ['test QER', pm(m.qer, m.qer_se)], ['base QER', pm(m.qer_base, m.qer_base_se)], ['leakage', pm(m.leakage, m.leakage_se)], ['capability', pm(m.capability, m.capability_se)]);
  }
  if (c && !Number.isNaN(c.band_low)) facts.push(['band', `${fmt(c.band_low)}-${fmt(c.band_high)}`]);
  if (c && !Number.isNaN(c.valid)) facts.push(['valid', c.valid === 1 ? 'yes' : `no: ${c.invalid_reason}`]);
  for (const p of [...v.probes.values()].sort((a, b) => compareText(a.name, b.name))) {
    const h = p.headline;
    if (h) facts.push([p.name, `${str(h.metric)} ${fmtCi(num(h.score), num(h.ci_low), num(h.ci_high))}, floor ${fmt(num(h.floor))}`]);
  }
  return `<div class="facts">${facts.map(([k, x]) => `<span><b>${esc(k)}</b> ${esc(x)}</span>`).join('')}</div>`;
}

/** One finding in a line: its label, then its first ranked tokens / words / answers. */
export function findingText(f: Record<string, unknown>): string {
  const items = (xs: unknown[], one: (x: Record<string, unknown>) => string) =>
    xs.slice(0, ITEMS_PER_FINDING).map((x) => one(obj(x))).join(', ') + (xs.length > ITEMS_PER_FINDING ? `, \u2026 (${xs.length} in all)` : '');
  const label = str(f.label);
  switch (f.kind) {
    case 'tokens':
      // quoted: tokens are often punctuation (',') or carry spaces, which bare would read as the list's own;
      // curly quotes (no entity after escaping, unlike '"') around the token with JSON's escapes (\n, \t)
      return `${label}: ${items(arr(f.tokens), (t) => `\u201c${JSON.stringify(str(t.token)).slice(1, -1)}\u201d (${fmt(num(t.score))})`)}`;
    case 'hypothesis':
      return `${label}: ${str(f.text)} [${items(arr(f.words), (w) => str(w.word))}]`;
    case 'answers':
      return `${label}: ${items(arr(f.answers), (a) => `${str(a.question)} \u2192 ${str(a.answer)}`)}`;
    default:
      return clip(`${label}: ${JSON.stringify(f)}`, MAX_TEXT);
  }
}

function findingsHtml(v: OrganismView): string {
  const probes = [...v.probes.values()].filter((p) => p.findings.length > 0).sort((a, b) => compareText(a.name, b.name));
  if (probes.length === 0) return '';
  const body = probes
    .map((p) => {
      const notes = arr(p.headline?.notes).map(str);
      const noteHtml = notes.length ? `<p class="notes">${esc(notes.join(' \u00b7 '))}</p>` : '';
      return `<h4>${esc(p.name)}</h4>${noteHtml}<ul>${p.findings.map((f) => `<li>${esc(findingText(f))}</li>`).join('')}</ul>`;
    })
    .join('\n');
  return `<details class="findings"><summary>probe findings (${probes.length} probe cell(s))</summary>\n${body}\n</details>`;
}

function verdict(s: QerSampleView): Cell {
  if (s.fired) return raw(`<span class="fired">yes</span>`);
  return s.gated ? 'no (off topic)' : 'no';
}

function samplesTable(shown: readonly QerSampleView[]): string {
  return table(
    ['prompt kind', 'prompt', '#', 'generation', 'behaviour shown', 'evidence'],
    shown.map((s): Cell[] => [s.kind, raw(`<span title="${esc(s.promptId)}">${esc(clip(s.prompt, MAX_TEXT))}</span>`), s.sample, clip(s.response, MAX_TEXT), verdict(s), s.evidence.join(', ')]),
    // each row tagged with its kind and outcome, for the filters
    { className: 'samples', empty: 'no QER samples recorded for this organism', rowAttrs: (i) => ({ 'data-kind': shown[i].kind, 'data-fired': shown[i].fired ? 'yes' : 'no' }) },
  );
}

function organismLabel(v: OrganismView): string {
  const m = v.matrix;
  return m ? `${m.behaviour} \u00b7 ${m.technique} \u00b7 ${m.architecture} \u00b7 seed ${fmt(m.seed)}` : v.cellId.replace(/^organism:/, '');
}

// Filters show and hide what is already in the page (nothing is fetched);
// without scripts every organism and sample stays visible.
const FILTER_SCRIPT = `(function () {
  var root = document.getElementById('samples');
  if (!root) return;
  var org = document.getElementById('sv-org'), kind = document.getElementById('sv-kind'), fired = document.getElementById('sv-fired'), count = document.getElementById('sv-count');
  function apply() {
    var n = 0;
    root.querySelectorAll('.sv-org').forEach(function (d) {
      var m = 0;
      d.querySelectorAll('tr[data-kind]').forEach(function (r) {
        var on = (kind.value === '' || r.getAttribute('data-kind') === kind.value) && (fired.value === '' || r.getAttribute('data-fired') === fired.value);
        r.hidden = !on;
        if (on) m++;
      });
      d.hidden = org.value === '' ? (kind.value !== '' || fired.value !== '') && m === 0 : d.getAttribute('data-org') !== org.value;
      if (!d.hidden) n += m;
    });
    count.textContent = n + ' sample(s) shown';
  }
  org.addEventListener('change', apply);
  kind.addEventListener('change', apply);
  fired.addEventListener('change', apply);
  if (org.options.length > 1) org.value = org.options[1].value;
  apply();
})();`;

/** 512 B, 485 KiB, 46.3 MiB (core/cli's formatBytes is out of reach: reports/ imports nothing of core/cli, test/core/boundaries.spec.ts) */
export function byteSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${fmt(Math.round(bytes / 1024))} KiB`;
  return `${fmt(bytes / 1024 / 1024)} MiB`;
}

export interface SampleViewOptions {
  /** QER samples shown per organism (SAMPLES_PER_ORGANISM) */
  cap?: number;
}

/**
 * The sample view's markup and its filter script, from samples.jsonl's
 * records; the organisms' numbers come from the matrix and the checks.
 */
export function sampleView(source: SampleSource, matrix: readonly MatrixRow[], checks: readonly OrganismCheck[], opts: SampleViewOptions = {}): { html: string; script: string } {
  const cap = opts.cap ?? SAMPLES_PER_ORGANISM;
  const views = organismViews(source.records, matrix, checks);
  if (views.length === 0) return { html: `<p class="empty">${esc(`${source.file} holds no QER samples or probe findings`)}</p>`, script: '' };
  const total = views.reduce((n, v) => n + v.samples.length, 0);
  let shownTotal = 0;
  const blocks = views.map((v, i) => {
    const shown = capSamples(v.samples, cap);
    shownTotal += shown.length;
    const fired = v.samples.filter((s) => s.fired).length;
    const kinds = sortedUnique(v.samples.map((s) => s.kind));
    const count = `${v.samples.length} answer(s) to ${kinds.length} prompt kind(s) (${kinds.join(', ') || 'none'}); the behaviour showed in ${fired}${shown.length < v.samples.length ? `; ${shown.length} shown here` : ''}`;
    return [
      `<div class="sv-org" data-org="${i}">`,
      `<h3>${esc(organismLabel(v))}</h3>`,
      organismFacts(v),
      `<p class="intro">${esc(count)}</p>`,
      samplesTable(shown),
      findingsHtml(v),
      '</div>',
    ].join('\n');
  });
  const options = (values: readonly [string, string][], all: string) => [`<option value="">${esc(all)}</option>`, ...values.map(([val, label]) => `<option value="${esc(val)}">${esc(label)}</option>`)].join('');
  const kinds = sortedUnique(views.flatMap((v) => v.samples.map((s) => s.kind)));
  const controls = [
    '<div class="sv-controls">',
    `<label>organism <select id="sv-org">${options(views.map((v, i): [string, string] => [String(i), organismLabel(v)]), `all ${views.length} organisms`)}</select></label>`,
    `<label>prompt kind <select id="sv-kind">${options(kinds.map((k): [string, string] => [k, k]), 'all kinds')}</select></label>`,
    `<label>behaviour shown <select id="sv-fired">${options([['yes', 'yes'], ['no', 'no']], 'either')}</select></label>`,
    '<span id="sv-count"></span>',
    '</div>',
  ].join('\n');
  const capped = shownTotal < total;
  const name = basename(source.file);
  const note = `${name} (${byteSize(source.bytes)} of JSON lines) holds ${total} QER answer(s) of ${views.length} organism(s); ${capped ? `this page shows at most ${cap} per organism (${shownTotal} in all), spread over prompt kinds and over answers with and without the behaviour; the rest are in ${name}` : 'all are shown'}. Prompts and generations longer than ${MAX_TEXT} characters are cut; findings show their first ${ITEMS_PER_FINDING} items.`;
  return { html: `<p class="intro">${esc(note)}</p>\n${controls}\n${blocks.join('\n')}`, script: FILTER_SCRIPT };
}
