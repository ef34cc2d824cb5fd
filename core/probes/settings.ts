// Probe settings: a probe's defaults for a model size, overridden by the
// user (CLI --set key=value, or a config file later). Unknown keys and values
// of the wrong type are errors naming the probe and the key, so a typo never
// silently falls back to a default.
import { MoltError } from '../errors';
import type { Probe } from '../plugins/types';
import type { ProbeSettings, ProbeSettingValue } from './types';

// An empty array says nothing of its elements' type: as a default it takes
// either kind of list, and the probe's own schema (validate) decides.
function kindOf(v: ProbeSettingValue): string {
  if (Array.isArray(v)) return v.length === 0 ? 'array' : v.every((x) => typeof x === 'number') ? 'number[]' : 'string[]';
  return typeof v;
}

function sameKind(value: ProbeSettingValue, like: ProbeSettingValue): boolean {
  const [a, b] = [kindOf(value), kindOf(like)];
  return a === b || (Array.isArray(value) && Array.isArray(like) && (a === 'array' || b === 'array'));
}

/** Parse a CLI value to the type of the default it replaces. */
export function parseSettingValue(probe: string, key: string, raw: string, like: ProbeSettingValue): ProbeSettingValue {
  const fail = (want: string): never => {
    throw new MoltError(`probe '${probe}': setting '${key}' must be ${want}, got '${raw}'`, key);
  };
  switch (kindOf(like)) {
    case 'number': {
      const n = Number(raw);
      return raw.trim() !== '' && Number.isFinite(n) ? n : fail('a number');
    }
    case 'boolean':
      return raw === 'true' ? true : raw === 'false' ? false : fail('true or false');
    case 'number[]': {
      const xs = raw.split(',').map((s) => Number(s));
      return xs.every((x) => Number.isFinite(x)) && raw.trim() !== '' ? xs : fail('comma-separated numbers');
    }
    case 'string[]':
      return raw.split(',').map((s) => s.trim()).filter((s) => s !== '');
    case 'array': {
      const parts = raw.split(',').map((s) => s.trim()).filter((s) => s !== '');
      const xs = parts.map((s) => Number(s));
      return parts.length > 0 && xs.every((x) => Number.isFinite(x)) ? xs : parts;
    }
    default:
      return raw;
  }
}

/** The probe's defaults for `size`, with overrides applied (typed like the defaults). */
export function resolveProbeSettings(probe: Pick<Probe, 'id' | 'defaults' | 'validate'>, size: string, overrides: Record<string, ProbeSettingValue | string> = {}): ProbeSettings {
  const defaults = probe.defaults(size);
  const out: ProbeSettings = { ...defaults };
  for (const [key, value] of Object.entries(overrides)) {
    if (!(key in defaults)) {
      throw new MoltError(`probe '${probe.id}': unknown setting '${key}'; valid: ${Object.keys(defaults).sort().join(', ')}`, key);
    }
    const like = defaults[key];
    const v = typeof value === 'string' && kindOf(like) !== 'string' ? parseSettingValue(probe.id, key, value, like) : value;
    if (!sameKind(v, like)) {
      throw new MoltError(`probe '${probe.id}': setting '${key}' must be ${kindOf(like)}, got ${JSON.stringify(v)}`, key);
    }
    out[key] = v;
  }
  return probe.validate ? probe.validate(out) : out;
}
