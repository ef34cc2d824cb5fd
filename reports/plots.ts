// The report's plots, each a <figure> with one inline <svg class="plot KIND">:
// heatmap (technique x probe mean score), qer-scatter (score vs QER per
// organism), layer-curve (probe metrics per layer) and null-strip (null vs
// behaviour organisms' scores). Values that do not exist (NaN) are left out
// and counted in the caption, never drawn.
import { mean } from '../core/probes/stats';
import { CELL_METRIC, DETECTED_METRIC, HEADLINE_FLOOR_METRIC, HEADLINE_METRIC, probeKey, type MatrixRow, type ResultRow } from '../core/bench/rows';
import type { NullControlRow, SummaryRow } from '../core/bench/stats-types';
import { ALL_FAMILIES } from '../core/bench/stats';
import { compareText, figure, fmt, fmtCi, sortedUnique } from './html';
import {
  axes,
  BAND_OPACITY,
  clip,
  colourBar,
  dataDomain,
  fitYLabels,
  coord,
  el,
  legend,
  linearScale,
  marker,
  niceTicks,
  plotArea,
  sequentialColour,
  svgRoot,
  text,
  textColourOn,
  textWidth,
  tooltip,
  type Frame,
  type LegendItem,
} from './svg';

export const NULL_FAMILY = 'null';
const NULL_COLOUR = '#777777';

export function isNullOrganism(m: { family: string }): boolean {
  return m.family === NULL_FAMILY;
}

/** A probe run against one diffing base: the unit most plots are drawn per. */
export interface ProbeBase {
  probe: string;
  diffing_base: string;
}

/** Every probe x diffing base in the rows, sorted by probe then base. */
export function probeBases(rows: readonly ResultRow[]): ProbeBase[] {
  const seen = new Map<string, ProbeBase>();
  for (const r of rows) if (r.probe !== '') seen.set(JSON.stringify([r.probe, r.diffing_base]), { probe: r.probe, diffing_base: r.diffing_base });
  return [...seen.values()].sort((a, b) => compareText(a.probe, b.probe) || compareText(a.diffing_base, b.diffing_base));
}

function finite(xs: readonly number[]): number[] {
  return xs.filter((x) => Number.isFinite(x));
}

// ---------------------------------------------------------------- heatmap

const HEAT_FONT = 10.5;
const SCALE_NOTE = 'colour: each column\u2019s own scale (bar under it)';

/** Column headers wider than their cell are turned this many degrees, so neighbours do not run into each other. */
const HEAD_ROTATE = 35;

/**
 * One heatmap per diffing base of summary's mean score; techniques and
 * probes are the union over bases, so the maps line up. Each probe column
 * has its own colour scale fitted to the scores that map shows for it (a
 * probe scoring ~0.001 and one scoring ~0.5 both use the full range), drawn
 * as a colour bar under the column.
 */
export function heatmaps(summary: readonly SummaryRow[]): string[] {
  const bases = sortedUnique(summary.map((s) => s.diffing_base));
  const techniques = sortedUnique(summary.map((s) => s.technique));
  const probes = sortedUnique(summary.map((s) => s.probe));
  const cw = 96;
  const ch = 26;
  const heads = probes.map((p) => clip(p, 24));
  const headWidth = Math.max(0, ...heads.map((h) => textWidth(h, HEAT_FONT)));
  const rotate = headWidth > cw - 6;
  const rowHeads = techniques.map((t) => clip(t, 22));
  const left = 12 + Math.max(60, ...rowHeads.map((t) => textWidth(t, HEAT_FONT)));
  const top = 30 + (rotate ? headWidth * Math.sin((HEAD_ROTATE * Math.PI) / 180) + 8 : 14);
  return bases.map((base, idx) => {
    const mine = summary.filter((s) => s.diffing_base === base);
    const cells = new Map(mine.map((s) => [JSON.stringify([s.technique, s.probe]), s]));
    const bottom = top + ch * techniques.length;
    // a turned header runs right from its column's middle
    const width = Math.max(left + cw * probes.length + 12, rotate ? left + cw * (probes.length - 0.5) + headWidth * Math.cos((HEAD_ROTATE * Math.PI) / 180) + 4 : 0);
    const hatch = `hatch-${idx}`;
    const title = `mean headline score, diffing base ${base}`;
    let hatched = 0;
    let bars = 0;
    const parts: string[] = [
      `<defs>${el('pattern', { id: hatch, patternUnits: 'userSpaceOnUse', width: 6, height: 6, patternTransform: 'rotate(45)' }, el('line', { x1: 0, y1: 0, x2: 0, y2: 6, stroke: '#c8c8c8', 'stroke-width': 2 }))}</defs>`,
      text(8, 16, title, { 'font-size': 12, 'font-weight': 600 }),
    ];
    probes.forEach((p, j) => {
      const cx = left + j * cw + cw / 2;
      const at = rotate
        ? { 'text-anchor': 'start', 'font-size': HEAT_FONT, transform: `rotate(-${HEAD_ROTATE} ${coord(cx - 8)} ${coord(top - 8)})` }
        : { 'text-anchor': 'middle', 'font-size': HEAT_FONT };
      parts.push(`<g>${tooltip(p)}${text(rotate ? cx - 8 : cx, top - 8, heads[j], at)}</g>`);
    });
    techniques.forEach((t, i) => {
      parts.push(`<g>${tooltip(t)}${text(left - 6, top + i * ch + ch / 2 + 3.5, rowHeads[i], { 'text-anchor': 'end', 'font-size': HEAT_FONT })}</g>`);
    });
    probes.forEach((p, j) => {
      const x = left + j * cw;
      const domain = dataDomain(techniques.map((t) => cells.get(JSON.stringify([t, p]))?.mean_score ?? NaN), 3);
      techniques.forEach((t, i) => {
        const y = top + i * ch;
        const s = cells.get(JSON.stringify([t, p]));
        if (!s || !Number.isFinite(s.mean_score)) {
          const why = !s ? 'not run' : s.calibration === 'uncalibrated' ? `uncalibrated, left out: ${s.note}` : `no scored organisms (n ${fmt(s.n)})`;
          parts.push(el('rect', { x, y, width: cw, height: ch, fill: `url(#${hatch})`, stroke: '#fff' }, tooltip(`${t} x ${p}: ${why}`)));
          hatched++;
          return;
        }
        const fill = sequentialColour((s.mean_score - domain[0]) / (domain[1] - domain[0]));
        const tip = `${t} x ${p} @ ${base}: mean ${fmtCi(s.mean_score, s.ci_low, s.ci_high)}, n ${fmt(s.n)}, detected ${fmt(s.detection_rate)}`;
        parts.push(el('rect', { x, y, width: cw, height: ch, fill, stroke: '#fff' }, tooltip(tip)));
        parts.push(text(x + cw / 2, y + ch / 2 + 4, fmt(s.mean_score), { 'text-anchor': 'middle', 'font-size': 11, fill: textColourOn(fill) }));
      });
      if (mine.some((s) => s.probe === p && Number.isFinite(s.mean_score))) {
        parts.push(`<g>${tooltip(`${p} colour scale: ${fmt(domain[0])} to ${fmt(domain[1])}`)}${colourBar(x + 8, bottom + 8, cw - 16, domain)}</g>`);
        bars++;
      }
    });
    // the key says only what the map shows: the hatch if a cell is hatched, the note if a colour bar is drawn
    const height = bottom + (bars > 0 ? 44 : 24);
    let keyEnd = left;
    if (hatched > 0) {
      parts.push(el('rect', { x: keyEnd, y: height - 10, width: 16, height: 12, fill: `url(#${hatch})`, stroke: '#999' }));
      parts.push(text(keyEnd + 20, height, 'no data', { 'font-size': 10 }));
      keyEnd += 20 + textWidth('no data', 10) + 16;
    }
    if (bars > 0) {
      parts.push(text(keyEnd, height, SCALE_NOTE, { 'font-size': 10, fill: '#555' }));
      keyEnd += textWidth(SCALE_NOTE, 10);
    }
    const svg = svgRoot('heatmap', Math.max(width, keyEnd + 8, 16 + textWidth(title, 12)), height + 8, `heatmap of mean headline score by technique and probe, diffing base ${base}`, parts.join('\n'));
    return figure(
      svg,
      `Diffing base ${base}: mean headline score of behaviour organisms per technique (rows) and probe (columns); each probe's colours span its own range in this map (light = its lowest, dark = its highest)${hatched ? '; hatched cells have no scored organisms' : ''}.`,
    );
  });
}

// ---------------------------------------------------------------- scatter

/** px between an axis line and the nearest place a point can be drawn */
const INSET = 6;
const SCATTER: Frame = { width: 480, height: 270, left: 46, right: 150, top: 24, bottom: 38 };

/** Score vs test QER, one plot per probe x diffing base; null organisms hollow. */
export function qerScatters(matrix: readonly MatrixRow[], pbs: readonly ProbeBase[], colours: Map<string, string>): string[] {
  return pbs.map(({ probe, diffing_base }) => {
    const key = probeKey(probe, diffing_base);
    const withScore = matrix.filter((m) => m.scores[key]?.status === 'ok' && Number.isFinite(m.scores[key].score));
    const pts = withScore.filter((m) => Number.isFinite(m.qer));
    const xs = pts.map((m) => m.qer);
    const ys = pts.map((m) => m.scores[key].score);
    const xd = dataDomain(xs);
    const yd = dataDomain(ys);
    const yTicks = niceTicks(...yd);
    const frame = fitYLabels(SCATTER, yTicks);
    const a = plotArea(frame);
    // points inset from the axes, so one at the domain's end is not drawn on the axis line
    const x = linearScale(xd, [a.x0 + INSET, a.x1 - INSET]);
    const y = linearScale(yd, [a.y0 - INSET, a.y1 + INSET]);
    const parts = [
      text(a.x0, 15, key, { 'font-size': 12, 'font-weight': 600 }),
      axes(frame, { scale: x, ticks: niceTicks(...xd), label: 'organism QER (test split)' }, { scale: y, ticks: yTicks, label: 'headline score' }),
    ];
    // behaviour organisms on top of the hollow nulls
    const ordered = [...pts.filter(isNullOrganism), ...pts.filter((m) => !isNullOrganism(m))];
    for (const m of ordered) {
      const s = m.scores[key];
      const tip = `${m.organism_id || m.behaviour} (${m.technique}, ${m.architecture}, seed ${fmt(m.seed)}): score ${fmtCi(s.score, s.ci_low, s.ci_high)}, QER ${fmt(m.qer)}`;
      parts.push(marker(x(m.qer), y(s.score), colours.get(m.technique) ?? NULL_COLOUR, isNullOrganism(m), tip));
    }
    const items: LegendItem[] = sortedUnique(pts.map((m) => m.technique)).map((t) => ({ label: t, colour: colours.get(t) ?? NULL_COLOUR }));
    if (pts.some(isNullOrganism)) items.push({ label: 'null organism (ring)', colour: NULL_COLOUR, hollow: true });
    parts.push(legend(items, a.x1 + 12, a.y1));
    const missing = withScore.length - pts.length;
    const svg = svgRoot('qer-scatter', frame.width, frame.height, `${key}: headline score vs QER`, parts.join('\n'));
    return figure(
      svg,
      `${key}: each organism's headline score against its test QER, coloured by technique; rings are null organisms.${missing ? ` ${missing} scored organism(s) without a QER not drawn.` : ''}`,
    );
  });
}

// ---------------------------------------------------------------- per-layer curves

const CURVE: Frame = { width: 470, height: 250, left: 50, right: 140, top: 24, bottom: 38 };
const NOT_PER_LAYER = new Set([HEADLINE_METRIC, HEADLINE_FLOOR_METRIC, DETECTED_METRIC, CELL_METRIC]);
const NULL_SERIES = 'null organisms';

export interface CurveGroup extends ProbeBase {
  metric: string;
  variant: string;
  /** series (technique, or NULL_SERIES) -> layer -> mean over organisms */
  series: Map<string, Map<number, number>>;
  /**
   * series -> layer -> [low, high]: the mean of the organisms' 95% interval
   * ends (results.csv ci_low, ci_high) at that layer; only layers where every
   * organism of the series has both ends; a series whose intervals all have
   * zero width has no entry
   */
  bands: Map<string, Map<number, [number, number]>>;
  layers: number[];
  /** the metric is (the base name of) one of the probe's headline metrics */
  headline: boolean;
}

/** The organism a row belongs to (matrixRows' key; ids may be blank in hand-made rows). */
function organismOf(r: ResultRow): string {
  return JSON.stringify([r.architecture, r.behaviour, r.technique, r.seed]);
}

/**
 * Per-layer metric groups (probe x diffing base x metric x variant) with at
 * least two distinct layers, headline metrics first, then by name; each
 * organism is averaged first so one organism with repeated rows counts once.
 */
export function curveGroups(rows: readonly ResultRow[]): CurveGroup[] {
  const headlineNames = new Map<string, Set<string>>();
  for (const r of rows) {
    if (r.status === 'ok' && r.probe !== '' && r.metric === HEADLINE_METRIC && r.variant !== '') {
      // logit-lens names multi-target headlines relevant_mass[family]; the per-layer rows use the base name
      const set = headlineNames.get(r.probe) ?? new Set<string>();
      set.add(r.variant.replace(/\[.*\]$/, ''));
      headlineNames.set(r.probe, set);
    }
  }
  // group -> series -> layer -> organism -> rows' [value, ci_low, ci_high]
  type Vals = [number, number, number][];
  const acc = new Map<string, { pb: [string, string, string, string]; s: Map<string, Map<number, Map<string, Vals>>> }>();
  for (const r of rows) {
    if (r.status !== 'ok' || r.probe === '' || NOT_PER_LAYER.has(r.metric) || !Number.isFinite(r.layer) || !Number.isFinite(r.value)) continue;
    const gk = JSON.stringify([r.probe, r.diffing_base, r.metric, r.variant]);
    let g = acc.get(gk);
    if (!g) acc.set(gk, (g = { pb: [r.probe, r.diffing_base, r.metric, r.variant], s: new Map() }));
    const series = isNullOrganism(r) ? NULL_SERIES : r.technique;
    const byLayer = g.s.get(series) ?? new Map<number, Map<string, Vals>>();
    g.s.set(series, byLayer);
    const byOrg = byLayer.get(r.layer) ?? new Map<string, Vals>();
    byLayer.set(r.layer, byOrg);
    const vals = byOrg.get(organismOf(r)) ?? [];
    byOrg.set(organismOf(r), vals);
    vals.push([r.value, r.ci_low, r.ci_high]);
  }
  // summed in a fixed order, so the row order cannot move the last bits of a mean
  const sortedMean = (xs: number[]) => mean([...xs].sort((u, v) => u - v));
  const out: CurveGroup[] = [];
  for (const { pb, s } of acc.values()) {
    const [probe, diffing_base, metric, variant] = pb;
    const series = new Map<string, Map<number, number>>();
    const bands = new Map<string, Map<number, [number, number]>>();
    const layers = new Set<number>();
    for (const [name, byLayer] of s) {
      const line = new Map<number, number>();
      const band = new Map<number, [number, number]>();
      for (const [layer, byOrg] of byLayer) {
        const orgs = [...byOrg].sort((p, q) => compareText(p[0], q[0])).map(([, vs]) => vs);
        line.set(layer, mean(orgs.map((vs) => sortedMean(vs.map((v) => v[0])))));
        if (orgs.every((vs) => vs.every(([, lo, hi]) => Number.isFinite(lo) && Number.isFinite(hi)))) {
          band.set(layer, [mean(orgs.map((vs) => sortedMean(vs.map((v) => v[1])))), mean(orgs.map((vs) => sortedMean(vs.map((v) => v[2]))))]);
        }
        layers.add(layer);
      }
      series.set(name, line);
      // an interval of zero width draws nothing, so it is no band (and gets no legend entry)
      if ([...band.values()].some(([lo, hi]) => hi > lo)) bands.set(name, band);
    }
    if (layers.size < 2) continue;
    const headline = headlineNames.get(probe)?.has(metric) ?? false;
    out.push({ probe, diffing_base, metric, variant, series, bands, layers: [...layers].sort((a, b) => a - b), headline });
  }
  return out.sort(
    (a, b) =>
      Number(b.headline) - Number(a.headline) ||
      compareText(a.probe, b.probe) ||
      compareText(a.metric, b.metric) ||
      compareText(a.diffing_base, b.diffing_base) ||
      compareText(a.variant, b.variant),
  );
}

export function curveTitle(g: CurveGroup): string {
  return `${g.probe} ${g.metric}${g.variant ? ` (${g.variant})` : ''} @ ${g.diffing_base}`;
}

/**
 * The band of one series as SVG: a translucent polygon over each run of
 * consecutive layers that have an interval, and an error bar where a layer's
 * neighbours have none. `pts` are the series' layers in order.
 */
export function bandShapes(layers: readonly number[], band: ReadonlyMap<number, [number, number]> | undefined, x: (v: number) => number, y: (v: number) => number, colour: string): string {
  if (!band) return '';
  const runs: number[][] = [];
  let run: number[] = [];
  for (const l of layers) {
    if (band.has(l)) run.push(l);
    else if (run.length) runs.push(run), (run = []);
  }
  if (run.length) runs.push(run);
  return runs
    .map((r) => {
      if (r.length === 1) {
        const [lo, hi] = band.get(r[0])!;
        return el('line', { x1: x(r[0]), y1: y(lo), x2: x(r[0]), y2: y(hi), stroke: colour, 'stroke-width': 6, 'stroke-opacity': BAND_OPACITY * 1.5 });
      }
      const upper = r.map((l) => `${coord(x(l))},${coord(y(band.get(l)![1]))}`);
      const lower = [...r].reverse().map((l) => `${coord(x(l))},${coord(y(band.get(l)![0]))}`);
      return el('polygon', { points: [...upper, ...lower].join(' '), fill: colour, 'fill-opacity': BAND_OPACITY, stroke: 'none' });
    })
    .join('');
}

/**
 * One small plot per group: a line per technique (mean over its behaviour
 * organisms) with its interval band, nulls dashed grey; the y axis spans the
 * lines and bands this plot draws.
 */
export function layerCurves(groups: readonly CurveGroup[], colours: Map<string, string>): string[] {
  return groups.map((g) => {
    const vals = [...g.series.values()].flatMap((l) => [...l.values()]);
    const bandEnds = [...g.bands.values()].flatMap((b) => [...b.values()].flat());
    const xd: [number, number] = [g.layers[0], g.layers[g.layers.length - 1]];
    const yd = dataDomain([...vals, ...bandEnds]);
    const yTicks = niceTicks(...yd);
    const frame = fitYLabels(CURVE, yTicks);
    const a = plotArea(frame);
    // a little room so end points do not sit on the axes
    const pad = (xd[1] - xd[0]) * 0.05;
    const x = linearScale([xd[0] - pad, xd[1] + pad], [a.x0, a.x1]);
    const y = linearScale(yd, [a.y0, a.y1]);
    const xTicks = g.layers.every(Number.isInteger) ? g.layers : niceTicks(xd[0], xd[1]);
    const title = curveTitle(g);
    const parts = [
      text(a.x0, 15, clip(title, 60), { 'font-size': 12, 'font-weight': 600 }),
      axes(frame, { scale: x, ticks: xTicks, label: 'layer', tickLabel: fmt }, { scale: y, ticks: yTicks, label: g.metric }),
    ];
    const names = [...g.series.keys()].filter((n) => n !== NULL_SERIES).sort(compareText);
    if (g.series.has(NULL_SERIES)) names.push(NULL_SERIES);
    const items: LegendItem[] = [];
    // bands first, so no line is drawn under another series' band
    for (const name of names) parts.push(bandShapes(g.layers, g.bands.get(name), x, y, name === NULL_SERIES ? NULL_COLOUR : (colours.get(name) ?? NULL_COLOUR)));
    for (const name of names) {
      const isNull = name === NULL_SERIES;
      const colour = isNull ? NULL_COLOUR : (colours.get(name) ?? NULL_COLOUR);
      const pts = [...g.series.get(name)!].sort((p, q) => p[0] - q[0]);
      const path = pts.map(([l, v]) => `${coord(x(l))},${coord(y(v))}`).join(' ');
      const band = g.bands.get(name);
      const body = [
        tooltip(name),
        pts.length > 1 ? el('polyline', { points: path, fill: 'none', stroke: colour, 'stroke-width': 1.8, 'stroke-dasharray': isNull ? '4 3' : undefined }) : '',
        ...pts.map(([l, v]) => {
          const ci = band?.get(l);
          return marker(x(l), y(v), colour, isNull, `${name}, layer ${fmt(l)}: ${ci ? fmtCi(v, ci[0], ci[1]) : fmt(v)}`, 2.8);
        }),
      ];
      parts.push(`<g>${body.join('')}</g>`);
      items.push({ label: name, colour, line: !isNull, dashed: isNull });
    }
    const banded = g.bands.size > 0;
    if (banded) items.push({ label: '95% interval', colour: '#555555', band: true });
    parts.push(legend(items, a.x1 + 12, a.y1));
    const svg = svgRoot('layer-curve', frame.width, frame.height, `${title} by layer`, parts.join('\n'));
    return figure(
      svg,
      `${title}: mean over each technique's behaviour organisms at every layer${g.series.has(NULL_SERIES) ? '; dashed grey: null organisms of all techniques' : ''}${banded ? "; shaded: the mean of the organisms' 95% intervals (results.csv ci_low, ci_high)" : ''}.`,
    );
  });
}

// ---------------------------------------------------------------- null vs behaviour

// golden-ratio offsets spread the dots of a column evenly with no randomness
const GOLDEN = 0.6180339887498949;
const STRIP_BAND = 130;
const STRIP_MARGIN = { left: 46, right: 150, top: 52, bottom: 38 };

/** A null organism's score as a family: its per-family headline, else its overall one (runs before per-family headlines). */
function nullScoreAs(m: MatrixRow, key: string, family: string): number {
  const s = m.scores[key];
  return s.byFamily?.[family]?.score ?? s.score;
}

/**
 * Per probe x diffing base x architecture (null-controls.csv): one column
 * per behaviour family, the null organisms' scores graded as that family
 * (rings) beside the family's behaviour organisms (dots), and the family's
 * detection threshold drawn across both; the heading says whether the probe
 * passed its control there, with its leave-one-out FPR and AUROC.
 */
export function nullStrips(matrix: readonly MatrixRow[], pbs: readonly ProbeBase[], nullControls: readonly NullControlRow[], colours: Map<string, string>): string[] {
  return pbs.flatMap(({ probe, diffing_base }) => {
    const key = probeKey(probe, diffing_base);
    const mine = nullControls.filter((c) => c.probe === probe && c.diffing_base === diffing_base);
    return sortedUnique(mine.map((c) => c.architecture)).map((arch) => {
      const all = mine.find((c) => c.architecture === arch && c.family === ALL_FAMILIES);
      const families = mine.filter((c) => c.architecture === arch && c.family !== ALL_FAMILIES).sort((a, b) => compareText(a.family, b.family));
      const scored = matrix.filter((m) => m.architecture === arch && m.scores[key]?.status === 'ok' && Number.isFinite(m.scores[key].score));
      const nulls = scored.filter(isNullOrganism);
      const columns = families.map((c) => ({
        c,
        points: [
          ...nulls.map((m) => ({ m, y: nullScoreAs(m, key, c.family), isNull: true })),
          ...scored.filter((m) => !isNullOrganism(m) && m.family === c.family).map((m) => ({ m, y: m.scores[key].score, isNull: false })),
        ],
      }));
      const ys = [...columns.flatMap((col) => col.points.map((p) => p.y)), ...finite(families.map((c) => c.threshold))];
      const yd = dataDomain(ys);
      const yTicks = niceTicks(...yd);
      const frame = fitYLabels({ ...STRIP_MARGIN, width: STRIP_MARGIN.left + STRIP_MARGIN.right + STRIP_BAND * Math.max(1, columns.length), height: 290 }, yTicks);
      const a = plotArea(frame);
      const y = linearScale(yd, [a.y0 - INSET, a.y1 + INSET]);
      const status = all ? `${all.calibration}${all.note ? `: ${all.note}` : ''}` : 'no calibration';
      const stat = all ? `leave-one-out FPR ${fmtCi(all.fpr, all.fpr_ci_low, all.fpr_ci_high)}, AUROC ${fmtCi(all.auroc, all.auroc_ci_low, all.auroc_ci_high)} (clustered by organism)` : '';
      const parts = [
        text(a.x0, 15, `${key} on ${arch}: ${clip(status, 60)}`, { 'font-size': 12, 'font-weight': 600 }),
        text(a.x0, 30, stat, { 'font-size': 10.5 }),
        axes(frame, { scale: linearScale([0, 1], [a.x0, a.x1]), ticks: [], label: 'null organisms (rings) and behaviour organisms (dots), by family' }, { scale: y, ticks: yTicks, label: 'headline score' }),
      ];
      columns.forEach(({ c, points }, ci) => {
        const x0 = a.x0 + STRIP_BAND * ci;
        parts.push(text(x0 + STRIP_BAND / 2, a.y0 + 15, clip(c.family, 22), { 'text-anchor': 'middle', 'font-size': 10.5 }));
        for (const [half, isNull] of [[0, true], [1, false]] as const) {
          const cx = x0 + STRIP_BAND * (0.25 + 0.5 * half);
          const pts = points.filter((p) => p.isNull === isNull).sort((p, q) => p.y - q.y || compareText(p.m.organism_id, q.m.organism_id));
          pts.forEach((p, i) => {
            const dx = (((i * GOLDEN) % 1) - 0.5) * STRIP_BAND * 0.3;
            const detected = Number.isFinite(c.threshold) && p.y > c.threshold;
            const tip = `${p.m.organism_id || p.m.behaviour} (${p.m.technique})${isNull ? ` as ${c.family}` : ''}: ${fmt(p.y)}${detected ? ' > threshold' : ''}`;
            parts.push(marker(cx + dx, y(p.y), isNull ? NULL_COLOUR : (colours.get(p.m.technique) ?? NULL_COLOUR), isNull, tip));
          });
        }
        if (Number.isFinite(c.threshold)) {
          const ty = y(c.threshold);
          const tip = `${c.family} threshold ${fmt(c.threshold)} (the nulls' ${fmt(c.quantile)} quantile): TPR ${fmtCi(c.tpr, c.tpr_ci_low, c.tpr_ci_high)}, FPR ${fmtCi(c.fpr, c.fpr_ci_low, c.fpr_ci_high)}, AUROC ${fmtCi(c.auroc, c.auroc_ci_low, c.auroc_ci_high)}`;
          parts.push(el('line', { x1: x0 + 4, y1: ty, x2: x0 + STRIP_BAND - 4, y2: ty, stroke: '#b00020', 'stroke-width': 1.5, 'stroke-dasharray': '5 3' }, tooltip(tip)));
        }
      });
      // only what this plot draws: the techniques of its dots, rings if any null is drawn, the line if any threshold is
      const drawn = columns.flatMap((col) => col.points);
      const items: LegendItem[] = sortedUnique(drawn.filter((p) => !p.isNull).map((p) => p.m.technique)).map((t) => ({ label: t, colour: colours.get(t) ?? NULL_COLOUR }));
      if (drawn.some((p) => p.isNull)) items.push({ label: 'null organisms', colour: NULL_COLOUR, hollow: true });
      if (families.some((c) => Number.isFinite(c.threshold))) items.push({ label: 'threshold', colour: '#b00020', dashed: true });
      parts.push(legend(items, a.x1 + 12, a.y1));
      const svg = svgRoot('null-strip', frame.width, frame.height, `${key} on ${arch}: null vs behaviour organisms and the detection threshold`, parts.join('\n'));
      return figure(svg, `${key} on ${arch}: per behaviour family, the null organisms' scores graded as that family (rings) and the family's behaviour organisms (dots, by technique); dashed red: the detection threshold (the nulls' ${fmt(all?.quantile ?? NaN)} quantile). ${status}. ${stat}.`);
    });
  });
}
