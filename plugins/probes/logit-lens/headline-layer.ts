// Which layer the logit lens's headline reads, as a share of depth. One
// fraction serves every architecture unless `headlineLayerByArchitecture`
// names the architecture: a share of depth need not mean the same thing in
// two architectures, so each may take the layer its own calibration
// organisms chose.
import { MoltError } from '../../../core/public';

/** parse 'arch=fraction' entries; a malformed entry is an error naming the setting */
export function parseLayerByArchitecture(entries: readonly string[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const entry of entries) {
    const m = /^\s*([^=\s]+)\s*=\s*([0-9.eE+-]+)\s*$/.exec(entry);
    const f = m ? Number(m[2]) : NaN;
    if (!m || !(f > 0 && f <= 1)) {
      throw new MoltError(`logit-lens: headlineLayerByArchitecture entry '${entry}' must be 'architecture=fraction' with the fraction in (0, 1]`, 'headlineLayerByArchitecture');
    }
    if (out.has(m[1])) throw new MoltError(`logit-lens: headlineLayerByArchitecture names '${m[1]}' twice`, 'headlineLayerByArchitecture');
    out.set(m[1], f);
  }
  return out;
}

/** the headline's share of depth for this architecture */
export function headlineFraction(arch: string, settings: { headlineLayerFraction: number; headlineLayerByArchitecture: readonly string[] }): number {
  return parseLayerByArchitecture(settings.headlineLayerByArchitecture).get(arch) ?? settings.headlineLayerFraction;
}
