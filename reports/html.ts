// HTML building blocks of report.html: escaping, number formatting, tables
// and the page frame. Every string that comes from data goes through esc()
// (ids, technique names and error texts are user- and plugin-controlled), so
// the helpers here take plain text and escape it themselves; only values made
// by raw() pass through, and those are built from escaped parts.

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text made safe for element content and for quoted attribute values. */
export function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ENTITIES[c]);
}

/** Markup that is already safe (built from esc()'d parts); table cells pass it through. */
export interface Raw {
  readonly html: string;
}
export function raw(html: string): Raw {
  return { html };
}

/**
 * A number for people: 3 significant digits, '-' for NaN (a value that does
 * not exist), counts below a million exactly (n = 1234 is not "1230").
 */
export function fmt(x: number | undefined | null): string {
  if (x === undefined || x === null || Number.isNaN(x)) return '-';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  if (Number.isInteger(x) && Math.abs(x) < 1e6) return String(x === 0 ? 0 : x);
  // Number() of toPrecision drops trailing zeros ('0.500' -> 0.5) and -0
  const r = Number(x.toPrecision(3));
  return String(r === 0 ? 0 : r);
}

/** value [low, high]; just the value when the interval does not exist. */
export function fmtCi(value: number, low: number, high: number): string {
  if (Number.isNaN(low) && Number.isNaN(high)) return fmt(value);
  return `${fmt(value)} [${fmt(low)}, ${fmt(high)}]`;
}

/** x ± se, or x alone when the se is unknown */
export function pm(x: number, se: number): string {
  return Number.isFinite(se) ? `${fmt(x)} \u00b1 ${fmt(se)}` : fmt(x);
}

/** Code-unit order: the same on every machine, unlike localeCompare. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Sorted distinct strings. */
export function sortedUnique(xs: Iterable<string>): string[] {
  return [...new Set(xs)].sort(compareText);
}

export type Cell = string | number | Raw;

export interface TableOptions {
  /** a header row above the column names: [label, columns spanned] */
  groups?: [string, number][];
  /** a class on the <table> */
  className?: string;
  /** shown instead of an empty table */
  empty?: string;
  /** attributes of body row i (plain text values, escaped here), e.g. data-* for filters */
  rowAttrs?: (i: number) => Record<string, string>;
}

function cellHtml(c: Cell, tag: 'td' | 'th'): string {
  if (typeof c === 'number') return `<${tag} class="num">${esc(fmt(c))}</${tag}>`;
  if (typeof c === 'string') return `<${tag}>${esc(c)}</${tag}>`;
  return `<${tag}>${c.html}</${tag}>`;
}

export function table(columns: readonly string[], rows: readonly (readonly Cell[])[], opts: TableOptions = {}): string {
  if (rows.length === 0) return `<p class="empty">${esc(opts.empty ?? 'no rows')}</p>`;
  const groups = opts.groups
    ? `<tr>${opts.groups.map(([label, span]) => `<th colspan="${span}" class="group">${esc(label)}</th>`).join('')}</tr>\n`
    : '';
  const head = `<thead>\n${groups}<tr>${columns.map((c) => `<th>${esc(c)}</th>`).join('')}</tr>\n</thead>`;
  const trOpen = (i: number) => (opts.rowAttrs ? `<tr${Object.entries(opts.rowAttrs(i)).map(([k, v]) => ` ${k}="${esc(v)}"`).join('')}>` : '<tr>');
  const body = rows.map((r, i) => `${trOpen(i)}${r.map((c) => cellHtml(c, 'td')).join('')}</tr>`).join('\n');
  const cls = opts.className ? ` class="${esc(opts.className)}"` : '';
  return `<div class="scroll"><table${cls}>\n${head}\n<tbody>\n${body}\n</tbody>\n</table></div>`;
}

export interface Section {
  /** anchor id: a fixed word, never data */
  id: string;
  title: string;
  /** safe markup */
  body: string;
  /** a sentence saying how to read the section (plain text) */
  intro?: string;
}

export function section(s: Section): string {
  const intro = s.intro ? `<p class="intro">${esc(s.intro)}</p>\n` : '';
  return `<section id="${esc(s.id)}">\n<h2>${esc(s.title)}</h2>\n${intro}${s.body}\n</section>`;
}

/** A figure holding one plot's svg, with a plain-text caption. */
export function figure(svg: string, caption: string): string {
  return `<figure>${svg}<figcaption>${esc(caption)}</figcaption></figure>`;
}

export function figureGrid(figures: readonly string[], empty: string): string {
  if (figures.length === 0) return `<p class="empty">${esc(empty)}</p>`;
  return `<div class="grid">\n${figures.join('\n')}\n</div>`;
}

// One inline stylesheet: the page must open from a file with nothing fetched.
const STYLE = `
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1d1d1f; margin: 0 auto; padding: 1em 2em 4em; max-width: 1400px; }
h1 { font-size: 1.6em; margin: 0.2em 0; }
h2 { font-size: 1.25em; margin-top: 2em; border-bottom: 1px solid #ddd; padding-bottom: 0.2em; }
h3 { font-size: 1.05em; margin: 1.2em 0 0.4em; }
nav a { margin-right: 1em; }
dl.run { display: grid; grid-template-columns: max-content 1fr; gap: 0.1em 1em; }
dl.run dt { font-weight: 600; }
dl.run dd { margin: 0; font-family: ui-monospace, monospace; }
.intro, .empty { color: #555; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; font-size: 12.5px; margin: 0.4em 0 1em; }
th, td { border: 1px solid #ddd; padding: 2px 6px; text-align: left; vertical-align: top; }
th { background: #f4f4f6; }
th.group { text-align: center; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
td .det { font-weight: 700; }
td .bad { color: #b00020; }
td.error, td pre { white-space: pre-wrap; font-family: ui-monospace, monospace; margin: 0; }
.grid { display: flex; flex-wrap: wrap; gap: 1em; }
figure { margin: 0; }
figcaption { font-size: 12px; color: #555; max-width: 360px; }
svg { font-family: system-ui, sans-serif; }
.pair { display: flex; flex-wrap: wrap; gap: 2em; }
[hidden] { display: none !important; }
.sv-controls { position: sticky; top: 0; background: #fff; padding: 0.4em 0; border-bottom: 1px solid #eee; display: flex; flex-wrap: wrap; gap: 1.2em; align-items: center; z-index: 1; }
.sv-controls select { max-width: 420px; }
#sv-count { color: #555; }
.sv-org { border-left: 3px solid #4e79a7; padding-left: 0.8em; margin: 1em 0 1.6em; }
.facts { display: flex; flex-wrap: wrap; gap: 0.2em 1.4em; margin: 0.3em 0; font-size: 12.5px; }
table.samples td { max-width: 520px; white-space: pre-wrap; overflow-wrap: anywhere; }
table.samples .fired { color: #b00020; font-weight: 700; }
details.findings { font-size: 12.5px; }
details.findings ul { margin: 0.2em 0; padding-left: 1.4em; }
details.findings h4 { margin: 0.6em 0 0.2em; }
p.notes { color: #555; margin: 0.2em 0; }
`;

export interface PageOptions {
  title: string;
  /** safe markup under the title: the run info */
  header: string;
  sections: readonly Section[];
  /** a small inline script run at the end of the page (plain JS, nothing fetched); none by default */
  script?: string;
}

export function page(p: PageOptions): string {
  const nav = p.sections.map((s) => `<a href="#${esc(s.id)}">${esc(s.title)}</a>`).join('\n');
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${esc(p.title)}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    '<header>',
    `<h1>${esc(p.title)}</h1>`,
    p.header,
    `<nav>\n${nav}\n</nav>`,
    '</header>',
    ...p.sections.map(section),
    ...(p.script ? [`<script>\n${p.script.replace(/<\/(script)/gi, '<\\/$1')}\n</script>`] : []),
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
