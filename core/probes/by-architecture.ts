// A probe setting that names a layer per architecture: 'architecture=fraction'
// entries (a share of depth). A share of depth need not mean the same thing in
// two architectures, so a probe may take, per architecture, the layer its
// calibration organisms chose, and fall back to one fraction elsewhere.
import { z } from 'zod';
import { MoltError } from '../errors';

const FORMAT = "must be 'architecture=fraction' with the fraction in (0, 1]";

function parseEntry(entry: string): [string, number] | undefined {
  const m = /^\s*([^=\s]+)\s*=\s*([0-9.eE+-]+)\s*$/.exec(entry);
  const f = m ? Number(m[2]) : NaN;
  return m && f > 0 && f <= 1 ? [m[1], f] : undefined;
}

/** the entries as a map, or what is wrong with them: the first malformed entry, else the first architecture named twice */
function parseEntries(entries: readonly string[]): { map: Map<string, number> } | { malformed: string } | { repeated: string } {
  const map = new Map<string, number>();
  for (const entry of entries) {
    const parsed = parseEntry(entry);
    if (!parsed) return { malformed: entry };
    if (map.has(parsed[0])) return { repeated: parsed[0] };
    map.set(...parsed);
  }
  return { map };
}

/**
 * The schema of such a setting, with its default: a malformed entry, or an
 * architecture named twice, fails when the settings are resolved, naming the
 * setting, not when the probe measures.
 */
export function architectureFractions(defaults: string[]) {
  return z
    .array(z.string().refine((e) => parseEntry(e) !== undefined, FORMAT))
    .refine((entries) => !('repeated' in parseEntries(entries)), { message: 'names an architecture twice' })
    .default(defaults);
}

/** parse 'architecture=fraction' entries; a malformed or repeated one is a one-line error naming `setting` */
export function fractionsByArchitecture(entries: readonly string[], setting: string): Map<string, number> {
  const r = parseEntries(entries);
  if ('malformed' in r) throw new MoltError(`probe: ${setting} entry '${r.malformed}' ${FORMAT}`, setting);
  if ('repeated' in r) throw new MoltError(`probe: ${setting} names '${r.repeated}' twice`, setting);
  return r.map;
}

/** the share of depth `entries` name for `arch`, else `fallback` */
export function fractionForArchitecture(arch: string, entries: readonly string[], fallback: number, setting: string): number {
  return fractionsByArchitecture(entries, setting).get(arch) ?? fallback;
}
