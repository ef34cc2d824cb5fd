// Plot primitives for report.html's inline SVG: elements with escaped
// attributes, linear scales with "nice" ticks, axes, legends and colours.
// Coordinates go through coord(), which refuses NaN and infinities: a plot
// must drop values that do not exist before placing them, never draw them at
// "NaN" (browsers silently skip such elements, hiding the bug).
import { compareText, esc, fmt } from './html';

/** An SVG coordinate or length, rounded to 0.01 px so the bytes do not depend on float noise. */
export function coord(x: number): string {
  if (!Number.isFinite(x)) throw new Error(`svg: coordinate ${x} is not finite (the plot should have dropped this value)`);
  const r = Math.round(x * 100) / 100;
  return String(r === 0 ? 0 : r);
}

export type AttrValue = string | number | undefined;
export type Attrs = Record<string, AttrValue>;

/** ` k="v"` pairs in the given order; strings escaped, numbers via coord(), undefined left out. */
export function attrs(a: Attrs): string {
  let out = '';
  for (const [k, v] of Object.entries(a)) {
    if (v === undefined) continue;
    out += ` ${k}="${typeof v === 'number' ? coord(v) : esc(v)}"`;
  }
  return out;
}

/** An element; `children` is safe markup (empty makes a self-closing tag). */
export function el(tag: string, a: Attrs, children = ''): string {
  return children === '' ? `<${tag}${attrs(a)}/>` : `<${tag}${attrs(a)}>${children}</${tag}>`;
}

/** A <text> whose content is data (escaped here). */
export function text(x: number, y: number, content: string, a: Attrs = {}): string {
  return el('text', { x, y, ...a }, esc(content));
}

/** A hover tooltip (no script needed): <title> content is data, escaped here. */
export function tooltip(content: string): string {
  return `<title>${esc(content)}</title>`;
}

/** Long data strings cut for a label (before escaping, so no entity is split); the full text goes in a tooltip. */
export function clip(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}\u2026`;
}

export interface Scale {
  (v: number): number;
  domain: [number, number];
  range: [number, number];
}

export function linearScale(domain: [number, number], range: [number, number]): Scale {
  const [d0, d1] = domain;
  const span = d1 - d0 || 1;
  const f = ((v: number) => range[0] + ((v - d0) / span) * (range[1] - range[0])) as Scale;
  f.domain = domain;
  f.range = range;
  return f;
}

/** 1, 2 or 5 times a power of ten, the smallest at least `raw`. */
function niceStep(raw: number): number {
  const mag = 10 ** Math.floor(Math.log10(raw));
  const frac = raw / mag;
  return (frac <= 1 ? 1 : frac <= 2 ? 2 : frac <= 5 ? 5 : 10) * mag;
}

/** A domain around [lo, hi] ending on nice numbers; a single value gets a unit of room. */
export function niceDomain(lo: number, hi: number, count = 5): [number, number] {
  if (!(Number.isFinite(lo) && Number.isFinite(hi))) return [0, 1];
  if (lo === hi) [lo, hi] = lo === 0 ? [0, 1] : [Math.min(0, lo * 2), Math.max(0, hi * 2)];
  const step = niceStep((hi - lo) / count);
  return [Number((Math.floor(lo / step) * step).toPrecision(12)) || 0, Number((Math.ceil(hi / step) * step).toPrecision(12)) || 0];
}

/** About `count` round tick values within [lo, hi]. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(Number.isFinite(lo) && Number.isFinite(hi)) || hi <= lo) return Number.isFinite(lo) ? [lo] : [];
  const step = niceStep((hi - lo) / count);
  const out: number[] = [];
  // toPrecision(12) removes the float noise of k * step (0.30000000000000004)
  for (let k = Math.ceil(lo / step - 1e-9); k * step <= hi + step * 1e-9; k++) out.push(Number((k * step).toPrecision(12)) || 0);
  return out;
}

/** The pixel box of a plot: outer size and the margins around the plotting area. */
export interface Frame {
  width: number;
  height: number;
  left: number;
  right: number;
  top: number;
  bottom: number;
}

export function plotArea(f: Frame): { x0: number; x1: number; y0: number; y1: number } {
  return { x0: f.left, x1: f.width - f.right, y0: f.height - f.bottom, y1: f.top };
}

export interface AxisSpec {
  scale: Scale;
  ticks: readonly number[];
  label: string;
  /** tick text; fmt by default */
  tickLabel?: (v: number) => string;
}

/** Both axes with ticks, tick labels, light grid lines and axis titles. */
export function axes(f: Frame, x: AxisSpec, y: AxisSpec): string {
  const a = plotArea(f);
  const parts: string[] = [];
  const xl = x.tickLabel ?? fmt;
  const yl = y.tickLabel ?? fmt;
  for (const t of x.ticks) {
    const px = x.scale(t);
    parts.push(el('line', { x1: px, y1: a.y0, x2: px, y2: a.y1, stroke: '#eee' }));
    parts.push(el('line', { x1: px, y1: a.y0, x2: px, y2: a.y0 + 4, stroke: '#333' }));
    parts.push(text(px, a.y0 + 15, xl(t), { 'text-anchor': 'middle', 'font-size': 10 }));
  }
  for (const t of y.ticks) {
    const py = y.scale(t);
    parts.push(el('line', { x1: a.x0, y1: py, x2: a.x1, y2: py, stroke: '#eee' }));
    parts.push(el('line', { x1: a.x0 - 4, y1: py, x2: a.x0, y2: py, stroke: '#333' }));
    parts.push(text(a.x0 - 6, py + 3.5, yl(t), { 'text-anchor': 'end', 'font-size': 10 }));
  }
  parts.push(el('line', { x1: a.x0, y1: a.y0, x2: a.x1, y2: a.y0, stroke: '#333' }));
  parts.push(el('line', { x1: a.x0, y1: a.y0, x2: a.x0, y2: a.y1, stroke: '#333' }));
  parts.push(text((a.x0 + a.x1) / 2, f.height - 6, x.label, { 'text-anchor': 'middle', 'font-size': 11 }));
  const ym = (a.y0 + a.y1) / 2;
  parts.push(text(12, ym, y.label, { 'text-anchor': 'middle', 'font-size': 11, transform: `rotate(-90 12 ${coord(ym)})` }));
  return parts.join('\n');
}

/** The root <svg>; `kind` becomes its class (plot kinds are fixed words), `label` its accessible name. */
export function svgRoot(kind: string, width: number, height: number, label: string, body: string): string {
  return `<svg${attrs({
    xmlns: 'http://www.w3.org/2000/svg',
    class: `plot ${kind}`,
    width,
    height,
    viewBox: `0 0 ${coord(width)} ${coord(height)}`,
    role: 'img',
    'aria-label': label,
  })}>\n${body}\n</svg>`;
}

export interface LegendItem {
  label: string;
  colour: string;
  /** a ring instead of a dot (null organisms) */
  hollow?: boolean;
  /** a dashed line sample instead of a dot */
  dashed?: boolean;
  line?: boolean;
}

/** A vertical legend with its top-left corner at (x, y). */
export function legend(items: readonly LegendItem[], x: number, y: number, maxChars = 20): string {
  return items
    .map((it, i) => {
      const cy = y + 6 + i * 15;
      const swatch =
        it.line || it.dashed
          ? el('line', { x1: x, y1: cy, x2: x + 14, y2: cy, stroke: it.colour, 'stroke-width': 2, 'stroke-dasharray': it.dashed ? '4 3' : undefined })
          : marker(x + 6, cy, it.colour, !!it.hollow);
      return `<g>${tooltip(it.label)}${swatch}${text(x + 19, cy + 3.5, clip(it.label, maxChars), { 'font-size': 10.5 })}</g>`;
    })
    .join('\n');
}

/** A dot (filled) or ring (hollow) of radius r, with an optional tooltip. */
export function marker(x: number, y: number, colour: string, hollow: boolean, title?: string, r = 3.5): string {
  const style = hollow ? { fill: '#fff', stroke: colour, 'stroke-width': 1.6 } : { fill: colour, stroke: '#fff', 'stroke-width': 0.6 };
  return el('circle', { cx: x, cy: y, r, ...style }, title === undefined ? '' : tooltip(title));
}

// Tableau 10: distinguishable categorical colours for techniques.
const PALETTE = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];

/** One colour per name, by the name's rank in sorted order (the same name keeps its colour in every plot). */
export function colourMap(names: Iterable<string>): Map<string, string> {
  const sorted = [...new Set(names)].sort(compareText);
  return new Map(sorted.map((n, i) => [n, PALETTE[i % PALETTE.length]]));
}

// ColorBrewer GnBu, light to dark: low scores pale, high scores dark.
const SEQUENTIAL = [
  [247, 252, 240],
  [204, 235, 197],
  [123, 204, 196],
  [43, 140, 190],
  [8, 64, 129],
];

function hex2(v: number): string {
  return Math.round(v).toString(16).padStart(2, '0');
}

/** The sequential colour at t in [0, 1] (clamped). */
export function sequentialColour(t: number): string {
  const u = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)) * (SEQUENTIAL.length - 1);
  const i = Math.min(SEQUENTIAL.length - 2, Math.floor(u));
  const w = u - i;
  const c = SEQUENTIAL[i].map((v, k) => v + w * (SEQUENTIAL[i + 1][k] - v));
  return `#${c.map(hex2).join('')}`;
}

/** Black or white, whichever reads better on the fill (relative luminance threshold). */
export function textColourOn(fill: string): string {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(fill.slice(i, i + 2), 16) / 255);
  return 0.2126 * r + 0.7152 * g + 0.0722 * b > 0.45 ? '#000' : '#fff';
}
