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

/**
 * A domain around [lo, hi] ending on nice numbers. A degenerate range (one
 * value, or a spread below 1e-9 of its size) gets room on its zero side:
 * v > 0 spans [0, 2v], v < 0 [2v, 0], and 0 spans [0, 1], so the value sits
 * mid-scale (or at the bottom for 0) instead of at an edge or dividing by zero.
 */
export function niceDomain(lo: number, hi: number, count = 5): [number, number] {
  if (!(Number.isFinite(lo) && Number.isFinite(hi))) return [0, 1];
  if (hi - lo <= 1e-9 * Math.max(Math.abs(lo), Math.abs(hi))) {
    const v = (lo + hi) / 2;
    [lo, hi] = v === 0 ? [0, 1] : [Math.min(0, v * 2), Math.max(0, v * 2)];
  }
  const step = niceStep((hi - lo) / count);
  // the 1e-9 keeps an end that is a step multiple up to float noise (2.000000000001) from growing a step
  return [Number((Math.floor(lo / step + 1e-9) * step).toPrecision(12)) || 0, Number((Math.ceil(hi / step - 1e-9) * step).toPrecision(12)) || 0];
}

/**
 * The nice domain of the finite values a panel shows (NaN and infinities
 * left out; none at all gives [0, 1]): each plot's scale fits its own data,
 * so a probe whose scores are all near 0.001 is not drawn flat on a [0, 1] axis.
 */
export function dataDomain(values: Iterable<number>, count = 5): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return lo > hi ? [0, 1] : niceDomain(lo, hi, count);
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

/**
 * Tick texts with as many digits as the tick step needs, so neighbouring
 * ticks never read alike (fmt's 3 significant digits would print 1.0001 and
 * 1.0002 both as "1"); exponent form below 1e-4 or from 1e6 on.
 */
export function tickLabels(ticks: readonly number[]): string[] {
  if (ticks.length < 2) return ticks.map(fmt);
  // rounded, so float noise (1.0002 - 1.0001 = 9.99999999995e-5) does not cost a digit
  const step = Number(Math.min(...ticks.slice(1).map((t, i) => t - ticks[i]).filter((d) => d > 0)).toPrecision(6));
  const big = Math.max(...ticks.map(Math.abs));
  if (!Number.isFinite(step)) return ticks.map(fmt);
  if (step < 1e-4 || big >= 1e6) {
    const digits = Math.max(0, Math.floor(Math.log10(big || step)) - Math.floor(Math.log10(step) + 1e-9));
    return ticks.map((t) => (t === 0 ? '0' : t.toExponential(Math.min(digits, 20)).replace(/\.?0+e/, 'e')));
  }
  const decimals = Math.max(0, Math.ceil(-Math.log10(step) - 1e-9));
  return ticks.map((t) => {
    const s = t.toFixed(decimals);
    return Number(s) === 0 ? s.replace('-', '') : s;
  });
}

/**
 * The width of a label in px, estimated (no font metrics without a browser):
 * 0.6 em a character, which is at or above the average advance of the
 * sans-serif faces browsers pick for system-ui, so estimates err wide.
 */
export function textWidth(s: string, fontSize: number): number {
  return [...s].length * fontSize * 0.6;
}

/**
 * Which ticks to label so the labels do not overlap: every k-th tick, k the
 * smallest step at which each labelled pair is at least its half-widths (x)
 * or a line height (y) plus a gap apart. `sizes` are the labels' extents
 * along the axis; `positions` the ticks' pixel positions.
 */
export function thinTicks(positions: readonly number[], sizes: readonly number[], gap = 4): number[] {
  const n = positions.length;
  for (let k = 1; k < n; k++) {
    let ok = true;
    for (let i = k; i < n && ok; i += k) ok = Math.abs(positions[i] - positions[i - k]) >= (sizes[i] + sizes[i - k]) / 2 + gap;
    if (ok) return positions.map((_, i) => i).filter((i) => i % k === 0);
  }
  return n === 0 ? [] : [0];
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
  /** tick text; tickLabels (digits by the step) by default */
  tickLabel?: (v: number) => string;
}

const TICK_FONT = 10;

/** The labelled subset of an axis's ticks, with their texts: thinned so no two labels overlap. */
export function axisLabels(spec: AxisSpec, orient: 'x' | 'y'): { tick: number; label: string }[] {
  const texts = spec.tickLabel ? spec.ticks.map(spec.tickLabel) : tickLabels(spec.ticks);
  const positions = spec.ticks.map((t) => spec.scale(t));
  const sizes = texts.map((t) => (orient === 'x' ? textWidth(t, TICK_FONT) : TICK_FONT * 1.2));
  return thinTicks(positions, sizes).map((i) => ({ tick: spec.ticks[i], label: texts[i] }));
}

/**
 * The frame with its left margin (and width, so the plotting area keeps its
 * size) grown to hold the widest y tick label beside the turned axis title.
 */
export function fitYLabels(f: Frame, ticks: readonly number[], tickLabel?: (v: number) => string): Frame {
  const labels = tickLabel ? ticks.map(tickLabel) : tickLabels(ticks);
  const need = Math.ceil(26 + Math.max(0, ...labels.map((l) => textWidth(l, TICK_FONT))));
  return need <= f.left ? f : { ...f, left: need, width: f.width + need - f.left };
}

/** Both axes with ticks, tick labels (thinned where they would overlap), light grid lines and axis titles. */
export function axes(f: Frame, x: AxisSpec, y: AxisSpec): string {
  const a = plotArea(f);
  const parts: string[] = [];
  for (const { tick, label } of axisLabels(x, 'x')) {
    const px = x.scale(tick);
    parts.push(el('line', { x1: px, y1: a.y0, x2: px, y2: a.y1, stroke: '#eee' }));
    parts.push(el('line', { x1: px, y1: a.y0, x2: px, y2: a.y0 + 4, stroke: '#333' }));
    parts.push(text(px, a.y0 + 15, label, { 'text-anchor': 'middle', 'font-size': TICK_FONT }));
  }
  for (const { tick, label } of axisLabels(y, 'y')) {
    const py = y.scale(tick);
    parts.push(el('line', { x1: a.x0, y1: py, x2: a.x1, y2: py, stroke: '#eee' }));
    parts.push(el('line', { x1: a.x0 - 4, y1: py, x2: a.x0, y2: py, stroke: '#333' }));
    parts.push(text(a.x0 - 6, py + 3.5, label, { 'text-anchor': 'end', 'font-size': TICK_FONT }));
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
  /** a translucent box (a confidence band) */
  band?: boolean;
}

/** The fill opacity of confidence bands; their legend swatch uses the same. */
export const BAND_OPACITY = 0.18;

/** A vertical legend with its top-left corner at (x, y). */
export function legend(items: readonly LegendItem[], x: number, y: number, maxChars = 20): string {
  return items
    .map((it, i) => {
      const cy = y + 6 + i * 15;
      const swatch = it.band
        ? el('rect', { x, y: cy - 5, width: 14, height: 10, fill: it.colour, 'fill-opacity': BAND_OPACITY })
        : it.line || it.dashed
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

/**
 * A horizontal colour bar for the sequential scale over `domain`: what the
 * cells' colours mean. `steps` flat boxes rather than a gradient, because a
 * gradient needs an element id and report.html holds many plots in one
 * document; tick labels (nice ticks of the domain) are thinned to fit.
 */
export function colourBar(x: number, y: number, width: number, domain: [number, number], height = 8, steps = 16): string {
  const parts: string[] = [];
  const w = width / steps;
  for (let k = 0; k < steps; k++) parts.push(el('rect', { x: x + k * w, y, width: w + 0.3, height, fill: sequentialColour((k + 0.5) / steps) }));
  parts.push(el('rect', { x, y, width, height, fill: 'none', stroke: '#999', 'stroke-width': 0.6 }));
  const scale = linearScale(domain, [x, x + width]);
  const ticks = niceTicks(domain[0], domain[1], 3);
  for (const { tick, label } of axisLabels({ scale, ticks, label: '' }, 'x')) {
    const px = scale(tick);
    parts.push(el('line', { x1: px, y1: y + height, x2: px, y2: y + height + 3, stroke: '#555' }));
    parts.push(text(px, y + height + 12, label, { 'text-anchor': 'middle', 'font-size': 9 }));
  }
  return parts.join('\n');
}
